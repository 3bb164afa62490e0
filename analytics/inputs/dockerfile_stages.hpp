// dockerfile_stages: the images a Dockerfile builds on. FROM lines and `COPY --from` with the
// global ARG defaults substituted, stage aliases resolved and references normalised as docker
// normalises them; RUN commands kept for hygiene checks. Sans-I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analytics {

enum class base_kind {
    image,       // an image from a registry: `reference` is normalised
    scratch,     // FROM scratch
    stage,       // an earlier stage of the same Dockerfile: `reference` is its alias
    unresolved,  // a variable without a value: `variables` names them
    invalid,     // not an image reference after substitution: `problem` says why
};

struct base_reference {
    std::size_t line = 0;
    bool copy_from = false;  // `COPY --from=…` rather than FROM
    std::string written;     // the operand as written, variables unexpanded
    std::string reference;   // image: "docker.io/library/ubuntu:22.04"; stage: the alias
    std::string alias;       // FROM … AS alias (lower case), or ""
    std::string platform;    // --platform=… as written, or ""
    base_kind kind = base_kind::image;
    std::vector<std::string> variables;  // unresolved: the variables with no value
    std::string problem;                 // invalid: why
};

struct run_command {
    std::size_t line = 0;
    std::string command;  // shell form, or exec form's words joined; heredoc bodies appended
};

struct dockerfile_facts {
    std::vector<base_reference> bases;  // in file order
    std::vector<run_command> runs;
    std::size_t instructions = 0, stages = 0, unterminated_heredocs = 0;
    std::size_t dropped = 0;  // FROM, COPY and RUN past the first 1,000 kept of each kind
    // What the last stage builds on once aliases are followed: a normalised reference,
    // "scratch", or "" when that chain ends in an unresolved or invalid FROM (or there is none).
    std::string final_base;
};

// Never throws; bounded work and memory for any input: expansions longer than 4 KiB or nested
// deeper than 8 make the operand invalid, and at most 1,000 base references and 1,000 RUN steps
// are kept (no real Dockerfile comes near; a hostile one cannot make each 8-byte line cost kilobytes). Only ARGs declared before the first FROM reach FROM
// lines, as in docker; BuildKit's platform ARGs (TARGETARCH, …) have no value here.
dockerfile_facts read_dockerfile(std::string_view text);

// docker's normalisation: "ubuntu" -> "docker.io/library/ubuntu:latest",
// "ghcr.io/a/b@sha256:…" kept with its digest. nullopt with problem set when the text is not
// a valid reference (upper case repository, bad tag or digest, empty parts).
std::optional<std::string> normalise_image_reference(std::string_view text, std::string& problem);

}  // namespace strata::analytics

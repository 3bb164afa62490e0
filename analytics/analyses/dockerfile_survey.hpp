// dockerfile_survey: what a tree of repositories builds on: the share of repositories with a
// Dockerfile, the base images their FROM lines name, FROM lines that name no image, and
// package installs that leave their caches in the layer.
#pragma once

#include "analytics/analyses/dockerfile_hygiene.hpp"
#include "analytics/inputs/dockerfile_stages.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analytics {

struct base_image_use {
    std::string reference;             // normalised
    std::size_t dockerfiles = 0;       // Dockerfiles naming it in FROM or COPY --from
    std::size_t repositories = 0;
    std::size_t final_stage = 0;       // Dockerfiles whose last stage builds on it
};

struct unusable_from {
    std::string file;  // "repository/path"
    std::size_t line = 0;
    std::string written;
    std::string why;   // "variables without a value: TAG" or the reference problem
};

struct uncleaned_install {
    std::string file;
    std::size_t line = 0;
    package_manager manager = package_manager::none;
    std::string command;  // at most 200 bytes
};

struct dockerfile_survey_result {
    std::size_t repositories = 0, repositories_with_dockerfile = 0;
    double share_with_dockerfile = 0;
    std::size_t dockerfiles = 0, unreadable = 0, instructions = 0, stages = 0;
    std::size_t from_images = 0, from_scratch = 0, from_stages = 0, unresolved = 0, invalid = 0;
    std::size_t copy_from_images = 0, unterminated_heredocs = 0;
    std::size_t run_steps = 0, install_steps = 0, uncleaned_install_steps = 0;
    double uncleaned_share = 0;
    std::vector<base_image_use> bases;                 // most used first (top N)
    std::vector<std::pair<std::string, std::size_t>> unresolved_variables;  // most frequent first (top N)
    std::vector<unusable_from> unusable;               // first N in file order
    std::vector<uncleaned_install> uncleaned;          // first N in file order
    std::vector<std::string> unreadable_files;         // first N, with why
    std::vector<std::string> references;               // every distinct image named, sorted
};

// Accumulates Dockerfiles one at a time: memory grows with the distinct base images and the
// repositories using them, and keeps at most 1,000 examples of each kind.
class dockerfile_survey {
public:
    void add_repository(const std::string& repository);
    // file is what tables name ("repository/path"); text is the Dockerfile's bytes.
    void add_dockerfile(const std::string& repository, const std::string& file, std::string_view text);
    void add_unreadable(const std::string& file, const std::string& why);

    dockerfile_survey_result result(std::size_t top_n) const;

private:
    struct base_tally {
        std::size_t dockerfiles = 0, final_stage = 0;
        std::set<std::string, std::less<>> repositories;
    };
    void count_bases(const std::string& repository, const std::string& file, const dockerfile_facts& f);
    void count_runs(const std::string& file, const dockerfile_facts& f);
    void note_unusable(const std::string& file, const base_reference& b);

    static constexpr std::size_t kept_examples = 1000;
    dockerfile_survey_result r_;
    std::map<std::string, base_tally, std::less<>> bases_;
    std::map<std::string, std::size_t, std::less<>> variables_;
    std::map<std::string, bool, std::less<>> repositories_;  // -> has a Dockerfile
};

}  // namespace strata::analytics

// FROM resolution: ARG defaults, stage aliases, platforms, COPY --from, normalised references.
#include "analytics/inputs/dockerfile_stages.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

namespace {

std::vector<std::string> references(const dockerfile_facts& f) {
    std::vector<std::string> out;
    for (const auto& b : f.bases) out.push_back(b.reference);
    return out;
}

}  // namespace

TEST_CASE("references are normalised as docker does") {
    std::string problem;
    CHECK(normalise_image_reference("ubuntu", problem) == "docker.io/library/ubuntu:latest");
    CHECK(normalise_image_reference("ubuntu:22.04", problem) == "docker.io/library/ubuntu:22.04");
    CHECK(normalise_image_reference("pytorch/pytorch:2.1", problem) == "docker.io/pytorch/pytorch:2.1");
    CHECK(normalise_image_reference("index.docker.io/nginx", problem) == "docker.io/library/nginx:latest");
    CHECK(normalise_image_reference("nvcr.io/nvidia/pytorch:24.01-py3", problem) == "nvcr.io/nvidia/pytorch:24.01-py3");
    CHECK(normalise_image_reference("localhost:5000/app", problem) == "localhost:5000/app:latest");
    const std::string digest = "sha256:" + std::string(64, 'a');
    CHECK(normalise_image_reference("alpine@" + digest, problem) == "docker.io/library/alpine@" + digest);
    CHECK(normalise_image_reference("alpine:3.19@" + digest, problem) == "docker.io/library/alpine:3.19@" + digest);
    CHECK(problem.empty());

    for (const char* bad : {"", "Ubuntu", "ubuntu:", "ubuntu@", "ubuntu@sha256:12", "a b", "ubuntu:bad/tag",
                            "ghcr.io/", "ex ample.com/a", ":tag"}) {
        std::string why;
        INFO(bad);
        CHECK_FALSE(normalise_image_reference(bad, why));
        CHECK_FALSE(why.empty());
    }
}

TEST_CASE("global ARG defaults reach FROM, stage ARGs do not") {
    const auto f = read_dockerfile(
        "ARG REGISTRY=nvcr.io\n"
        "ARG IMAGE=${REGISTRY}/nvidia/pytorch\n"
        "ARG TAG=\"24.01-py3\"\n"
        "ARG MAYBE\n"
        "FROM $IMAGE:${TAG} AS base\n"
        "ARG LATE=alpine\n"
        "FROM ${MAYBE:-debian}:${MISSING:-12}\n"
        "FROM ${MAYBE:+nothing}busybox\n"
        "FROM $LATE\n"
        "FROM ${UNDECLARED}:1\n");
    REQUIRE(f.bases.size() == 5);
    CHECK(f.bases[0].reference == "nvcr.io/nvidia/pytorch:24.01-py3");
    CHECK(f.bases[0].alias == "base");
    CHECK(f.bases[1].reference == "docker.io/library/debian:12");
    CHECK(f.bases[2].reference == "docker.io/library/busybox:latest");
    CHECK(f.bases[3].kind == base_kind::unresolved);
    CHECK(f.bases[3].variables == std::vector<std::string>{"LATE"});
    CHECK(f.bases[4].kind == base_kind::unresolved);
    CHECK(f.bases[4].variables == std::vector<std::string>{"UNDECLARED"});
    CHECK(f.bases[4].written == "${UNDECLARED}:1");
    CHECK(f.final_base.empty());
}

TEST_CASE("multi-stage aliases are followed to the image they start from") {
    const auto f = read_dockerfile(
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\n"
        "FROM build AS test\n"
        "FROM gcr.io/distroless/static AS runtime\n"
        "COPY --from=build /out /app\n"
        "COPY --from=0 /x /y\n"
        "COPY --chown=1:1 --from=quay.io/org/tools:1 /bin/t /bin/t\n"
        "COPY --from=${TOOLS} /a /b\n"
        "FROM test\n");
    REQUIRE(f.bases.size() == 6);
    CHECK(f.bases[0].platform == "$BUILDPLATFORM");
    CHECK(f.bases[0].alias == "build");
    CHECK(f.bases[1].kind == base_kind::stage);
    CHECK(f.bases[1].reference == "build");
    CHECK(f.bases[3].copy_from);
    CHECK(f.bases[3].reference == "quay.io/org/tools:1");
    CHECK(f.bases[4].kind == base_kind::unresolved);
    CHECK(f.bases[5].kind == base_kind::stage);
    CHECK(f.final_base == "docker.io/library/golang:1.22");
    CHECK(f.stages == 4);
}

TEST_CASE("scratch, platform ARGs and escaped dollars") {
    const auto f = read_dockerfile(
        "FROM scratch\n"
        "FROM ${TARGETARCH}/ubuntu\n"
        "FROM \\$weird\n"
        "FROM\n");
    REQUIRE(f.bases.size() == 4);
    CHECK(f.bases[0].kind == base_kind::scratch);
    CHECK(f.bases[1].variables == std::vector<std::string>{"TARGETARCH"});
    CHECK(f.bases[2].kind == base_kind::invalid);
    CHECK(f.bases[3].kind == base_kind::invalid);
    CHECK(f.bases[3].problem == "FROM names no image");
    const auto upper = read_dockerfile("from ALPINE as x\nfrom X\n");
    CHECK(references(upper) == std::vector<std::string>{"", "x"});
    CHECK(upper.bases[0].kind == base_kind::invalid);
    CHECK(upper.bases[1].kind == base_kind::stage);
}

TEST_CASE("unsupported substitutions are named, not guessed") {
    const auto f = read_dockerfile("ARG V=1.2\nFROM app:${V%.*}\nFROM app:${V/./-}\nFROM app:${}\n");
    REQUIRE(f.bases.size() == 3);
    for (const auto& b : f.bases) CHECK(b.kind == base_kind::unresolved);
    CHECK(f.bases[0].variables == std::vector<std::string>{"V"});
    CHECK(f.bases[2].variables == std::vector<std::string>{"${}"});
}

TEST_CASE("RUN commands keep their heredoc bodies and exec form words") {
    const auto f = read_dockerfile("FROM a\nRUN [\"apt-get\", \"install\", \"-y\", \"x\"]\nRUN <<EOF\napk add y\nEOF\n");
    REQUIRE(f.runs.size() == 2);
    CHECK(f.runs[0].command == "apt-get install -y x");
    CHECK(f.runs[1].line == 3);
    CHECK(f.runs[1].command == "<<EOF\napk add y\n");
}

TEST_CASE("a file of many FROM lines keeps the first thousand") {
    std::string text = "ARG A=" + std::string(500, 'a') + "\n";
    for (int i = 0; i < 100000; ++i) text += "FROM $A\nRUN x\n";
    const auto f = read_dockerfile(text);
    CHECK(f.bases.size() == 1000);
    CHECK(f.runs.size() == 1000);
    CHECK(f.dropped == 2 * 100000 - 2000);
    CHECK(f.instructions == 200001);
}

TEST_CASE("expansions that grow without bound stop at 4 KiB") {
    std::string doubling = "ARG A0=xxxxxxxxxxxxxxxx\n";
    for (int i = 1; i < 40; ++i)
        doubling += "ARG A" + std::to_string(i) + "=$A" + std::to_string(i - 1) + "$A" + std::to_string(i - 1) + "\n";
    const auto f = read_dockerfile(doubling + "FROM $A39\nFROM $A7\n");
    REQUIRE(f.bases.size() == 2);
    CHECK(f.bases[0].kind == base_kind::unresolved);  // A9 grew past the bound: it and all after have no value
    CHECK(f.bases[0].variables == std::vector<std::string>{"A39"});
    CHECK(f.bases[1].kind == base_kind::invalid);  // 2 KiB of x: longer than a repository name may be
    std::string nested = "FROM ";
    for (int i = 0; i < 100; ++i) nested += "${A:-";
    nested += "x" + std::string(100, '}');
    CHECK(read_dockerfile(nested).bases.at(0).kind == base_kind::invalid);
    const auto huge = read_dockerfile("FROM " + std::string(1 << 20, 'a'));
    CHECK(huge.bases.at(0).kind == base_kind::invalid);
    CHECK(huge.bases.at(0).written.size() == 4096);
    CHECK(read_dockerfile("FROM ${" + std::string(1 << 20, '{')).bases.at(0).kind == base_kind::invalid);
}

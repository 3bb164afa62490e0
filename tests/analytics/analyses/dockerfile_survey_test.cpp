// The Dockerfile survey: repository share, base image tallies, unusable FROMs, uncleaned installs.
#include "analytics/analyses/analysis_tables.hpp"
#include "analytics/analyses/dockerfile_survey.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

TEST_CASE("the survey counts repositories, base images and installs") {
    dockerfile_survey s;
    s.add_repository("org/empty");
    s.add_dockerfile("org/a", "org/a/Dockerfile",
                     "FROM ubuntu:22.04 AS build\nRUN apt-get update && apt-get install -y gcc\n"
                     "FROM build\nCOPY --from=nginx /x /y\n");
    s.add_dockerfile("org/a", "org/a/Dockerfile.gpu", "ARG CUDA\nFROM nvidia/cuda:${CUDA}\nFROM ubuntu:22.04\n");
    s.add_dockerfile("org/b", "org/b/Containerfile",
                     "FROM ubuntu:22.04\nRUN apt-get install -y x && rm -rf /var/lib/apt/lists/*\nFROM scratch\n");
    s.add_unreadable("org/b/Dockerfile.huge", "larger than 1048576 bytes");
    const auto r = s.result(10);
    CHECK(r.repositories == 3);
    CHECK(r.repositories_with_dockerfile == 2);
    CHECK(r.share_with_dockerfile == Approx(2.0 / 3));
    CHECK(r.dockerfiles == 3);
    CHECK(r.unreadable == 1);
    CHECK(r.from_images == 3);
    CHECK(r.from_scratch == 1);
    CHECK(r.from_stages == 1);
    CHECK(r.unresolved == 1);
    CHECK(r.copy_from_images == 1);
    REQUIRE(r.bases.size() == 2);
    CHECK(r.bases[0].reference == "docker.io/library/ubuntu:22.04");
    CHECK(r.bases[0].repositories == 2);
    CHECK(r.bases[0].dockerfiles == 3);
    CHECK(r.bases[0].final_stage == 2);  // both of org/a (one through its alias); org/b ends in scratch
    CHECK(r.bases[1].reference == "docker.io/library/nginx:latest");
    CHECK(r.references == std::vector<std::string>{"docker.io/library/nginx:latest", "docker.io/library/ubuntu:22.04"});
    REQUIRE(r.unusable.size() == 1);
    CHECK(r.unusable[0].file == "org/a/Dockerfile.gpu");
    CHECK(r.unusable[0].line == 2);
    CHECK(r.unusable[0].why == "variables without a value: CUDA");
    CHECK(r.unresolved_variables == std::vector<std::pair<std::string, std::size_t>>{{"CUDA", 1}});
    CHECK(r.install_steps == 2);
    CHECK(r.uncleaned_install_steps == 1);
    REQUIRE(r.uncleaned.size() == 1);
    CHECK(r.uncleaned[0].line == 2);

    const auto tables = dockerfile_survey_tables(r);
    CHECK(tables.size() == 6);
    CHECK(to_json(r)["bases"][0]["image"] == "docker.io/library/ubuntu:22.04");
}

TEST_CASE("examples are capped at top N while the counts stay whole") {
    dockerfile_survey s;
    for (int i = 0; i < 50; ++i)
        s.add_dockerfile("r" + std::to_string(i), "f", "FROM img" + std::to_string(i) + "\nFROM $X\nRUN apk add x\n");
    const auto r = s.result(5);
    CHECK(r.bases.size() == 5);
    CHECK(r.references.size() == 50);
    CHECK(r.unresolved == 50);
    CHECK(r.unusable.size() == 5);
    CHECK(r.uncleaned_install_steps == 50);
    CHECK(r.uncleaned.size() == 5);
}

// Base image detection: longest whole-base prefix, platforms, tags of one image, families.
#include "analytics/analyses/analysis_runner.hpp"
#include "analytics/analyses/base_images.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

namespace {

image make(std::string registry, std::string repository, std::string tag, std::vector<std::string> digests,
           std::string platform = "linux/amd64") {
    image img{.registry = std::move(registry), .repository = std::move(repository), .tag = std::move(tag)};
    img.platform = std::move(platform);
    for (auto& d : digests) img.layers.push_back({"sha256:" + d, 100});
    return img;
}

const image_base& of(const base_image_result& r, const std::string& name) {
    for (const auto& b : r.per_image)
        if (b.img->name() == name) return b;
    FAIL("no result for " << name);
    return r.per_image.front();
}

std::string base_name(const base_image_result& r, const std::string& name) {
    const auto& b = of(r, name);
    return b.base ? b.base->name() : "";
}

}  // namespace

TEST_CASE("the longest known base whose whole layer list begins the image wins") {
    const std::vector<image> images{
        make("docker.io", "library/debian", "12", {"d1"}),
        make("docker.io", "library/debian", "bookworm", {"d1"}),
        make("docker.io", "library/debian", "11", {"d0"}),
        make("docker.io", "library/alpine", "3", {"a1"}),
        make("docker.io", "nvidia/cuda", "12-runtime", {"d1", "c1"}),
        make("docker.io", "nvidia/cuda", "12-devel", {"d1", "c1", "c2"}),
        make("ghcr.io", "lab/app", "1", {"d1", "x"}),
        make("ghcr.io", "lab/gpu", "1", {"d1", "c1", "c2", "w"}),
        make("ghcr.io", "lab/tool", "1", {"a1", "y", "z"}),
        make("ghcr.io", "lab/scratch", "1", {"q"}),
        make("ghcr.io", "lab/partial", "1", {"d1x", "c1"}),
        make("ghcr.io", "lab/arm", "1", {"d1", "x"}, "linux/arm64"),
        make("ghcr.io", "lab/mirror", "12", {"d1"}),
    };
    const auto r = base_images(images, {"debian", "alpine", "nvidia/cuda"});
    CHECK(r.known_bases == 6);
    CHECK(r.images == 7);
    CHECK(base_name(r, "ghcr.io/lab/app:1") == "docker.io/library/debian:12");  // ties: first by name
    CHECK(base_name(r, "ghcr.io/lab/gpu:1") == "docker.io/nvidia/cuda:12-devel");
    CHECK(of(r, "ghcr.io/lab/gpu:1").base_layers == 3);
    CHECK(of(r, "ghcr.io/lab/gpu:1").added_bytes == 100);
    CHECK(base_name(r, "ghcr.io/lab/tool:1") == "docker.io/library/alpine:3");
    CHECK(base_name(r, "ghcr.io/lab/scratch:1").empty());
    CHECK(of(r, "ghcr.io/lab/scratch:1").added_bytes == 100);
    CHECK(base_name(r, "ghcr.io/lab/partial:1").empty());  // sharing a later layer is not a base
    CHECK(base_name(r, "ghcr.io/lab/arm:1").empty());      // debian's amd64 layers, an arm64 image
    CHECK(base_name(r, "ghcr.io/lab/mirror:12") == "docker.io/library/debian:12");  // a whole copy counts
    CHECK(r.without_base == 3);
    CHECK(r.share_without_base == Approx(3.0 / 7));
    REQUIRE(r.families.size() == 3);
    CHECK(r.families[0].family == "debian");
    CHECK(r.families[0].images == 2);
    CHECK(r.families[1].family == "alpine");  // 1 each: name order
    CHECK(r.families[2].family == "nvidia/cuda");
}

TEST_CASE("a base repository's own tags: another tag with the same layers is not its base") {
    const std::vector<image> images{make("docker.io", "library/ubuntu", "22.04", {"u1"}),
                                    make("docker.io", "library/ubuntu", "jammy", {"u1"}),
                                    make("docker.io", "library/python", "3.11", {"u1", "p1"}),
                                    make("docker.io", "library/python", "3.11-dev", {"u1", "p1", "p2"})};
    const auto r = base_images(images, {"ubuntu", "python"});
    CHECK(r.known_bases == 4);
    CHECK(r.images == 0);
    const auto python = base_images(images, {"ubuntu"});
    CHECK(base_name(python, "docker.io/library/python:3.11") == "docker.io/library/ubuntu:22.04");
    const auto self = base_images({images[2], images[3]}, {"docker.io/library/python"});
    CHECK(self.images == 0);
    const std::vector<image> layered{make("r.io", "base", "1", {"a"}), make("r.io", "base", "1-extra", {"a", "b"}),
                                     make("r.io", "app", "1", {"a", "b", "c"})};
    CHECK(base_name(base_images(layered, {"r.io/base"}), "r.io/app:1") == "r.io/base:1-extra");
}

TEST_CASE("base repositories must be repository names") {
    for (const char* bad : {"debian:12", "Debian", "ghcr.io/org/base@sha256:aa", "", "a b"}) {
        INFO(bad);
        CHECK_THROWS_AS(check_base_repositories({bad}), std::invalid_argument);
    }
    CHECK_NOTHROW(check_base_repositories({"localhost:5000/base", "opensuse/leap"}));
    CHECK_NOTHROW(check_base_repositories(default_base_repositories()));
}

TEST_CASE("bases runs as a named analysis") {
    image_catalog catalog;
    catalog.add(make("docker.io", "library/alpine", "3", {"a1"}));
    catalog.add(make("ghcr.io", "lab/tool", "1", {"a1", "y"}));
    analysis_request request;
    request.name = "bases";
    const auto out = run_analysis(request, catalog, {});
    CHECK(out.json["images"] == 1);
    CHECK(out.json["families"][0]["family"] == "alpine");
    CHECK(out.json["per_image"][0]["base"] == "docker.io/library/alpine:3");
    CHECK(out.tables.front().rows.size() == 1);
}

// Layer reuse counts and dedup bytes on hand-built images.
#include "analytics/analyses/layer_reuse.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

TEST_CASE("reuse counts images and repositories per layer and the bytes sharing saves") {
    const auto img = [](std::string repo, std::vector<layer> layers) {
        return image{.registry = "r", .repository = std::move(repo), .tag = "t", .layers = std::move(layers)};
    };
    const std::vector<image> images = {
        img("a", {{"base", 100}, {"a1", 10}}),
        img("b", {{"base", 100}, {"b1", 20}, {"b1", 20}}),  // a layer listed twice counts once for b
        img("b", {{"base", 100}, {"shared", 5}}),
        img("c", {{"shared", 5}}),
    };
    const auto r = layer_reuse(images, 2);
    CHECK(r.images == 4);
    CHECK(r.layer_references == 8);
    CHECK(r.unique_layers == 4);
    CHECK(r.referenced_bytes == 100 + 10 + 100 + 20 + 20 + 100 + 5 + 5);
    CHECK(r.unique_bytes == 135);
    CHECK(r.bytes_saved == 360 - 135);
    CHECK(r.dedup_ratio == Approx(360.0 / 135));
    REQUIRE(r.buckets.size() == 5);
    CHECK(r.buckets[0].name == "1");
    CHECK(r.buckets[0].layers == 2);  // a1, b1
    CHECK(r.buckets[0].bytes == 30);
    CHECK(r.buckets[1].layers == 2);  // >1: base, shared
    CHECK(r.buckets[2].layers == 1);  // >2: base
    CHECK(r.buckets[3].layers == 0);
    REQUIRE(r.top.size() == 2);
    CHECK(r.top[0].digest == "base");
    CHECK(r.top[0].images == 3);
    CHECK(r.top[0].repositories == 2);
    CHECK(r.top[1].digest == "shared");
    CHECK(r.top[1].repositories == 2);
    CHECK(layer_reuse({}).dedup_ratio == 1);
}

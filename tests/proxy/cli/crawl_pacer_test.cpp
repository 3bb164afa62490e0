// When a crawl may send its next request: refusals, backoff, quota, and the stop rule.
#include "proxy/cli/crawl_pacer.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;
using namespace std::chrono_literals;

TEST_CASE("a refusal pauses every upstream, Retry-After first, else a doubling backoff") {
    crawl_pacer p(900s);
    const auto t0 = crawl_pacer::clock::time_point{} + 1000s;
    CHECK(p.next_turn("docker.io", t0) == t0);
    p.refused(t0, 30s);
    CHECK(p.next_turn("ghcr.io", t0) == t0 + 30s);
    p.refused(t0 + 30s, std::nullopt);
    CHECK(p.next_turn("ghcr.io", t0 + 30s) == t0 + 31s);
    p.refused(t0 + 31s, std::nullopt);
    CHECK(p.next_turn("ghcr.io", t0 + 31s) == t0 + 33s);  // 2 s
    p.answered();
    p.refused(t0 + 40s, std::nullopt);
    CHECK(p.next_turn("ghcr.io", t0 + 40s) == t0 + 41s);  // back to 1 s
    for (int i = 0; i < 20; ++i) p.refused(t0 + 100s, std::nullopt);
    CHECK(p.next_turn("ghcr.io", t0 + 100s) == t0 + 160s);  // capped at 60 s
}

TEST_CASE("quota sparing pauses only its upstream, and a pause past max_pause stops the crawl") {
    crawl_pacer p(600s);
    const auto t0 = crawl_pacer::clock::time_point{} + 1000s;
    p.quota("docker.io", true, 120s, t0);
    p.quota("ghcr.io", false, 0s, t0);
    CHECK(p.next_turn("docker.io", t0) == t0 + 120s);
    CHECK(p.next_turn("ghcr.io", t0) == t0);
    p.quota("docker.io", false, 0s, t0 + 5s);
    CHECK(p.next_turn("docker.io", t0 + 5s) == t0 + 5s);
    p.quota("docker.io", true, 3600s, t0 + 10s);
    CHECK_FALSE(p.next_turn("docker.io", t0 + 10s));
    CHECK(p.stop_reason() ==
          "the registry asks for a pause of 3600 s (strata is sparing an upstream's pull quota: docker.io), longer "
          "than --max-pause 600 s");
    CHECK_FALSE(p.next_turn("ghcr.io", t0 + 10s));  // once stopped, every worker stops
}

TEST_CASE("an upstream stats did not name waits for the longest quota pause") {
    crawl_pacer p(600s);
    const auto t0 = crawl_pacer::clock::time_point{} + 1000s;
    p.quota("docker.io", true, 120s, t0);
    p.quota("ghcr.io", false, 0s, t0);
    CHECK(p.next_turn("", t0) == t0 + 120s);               // an image without a registry: the default
    CHECK(p.next_turn("index.docker.io", t0) == t0 + 120s);  // an alias
    CHECK(p.next_turn("ghcr.io", t0) == t0);
    p.stop("cannot write the journal");
    CHECK_FALSE(p.next_turn("ghcr.io", t0));
    CHECK(p.stop_reason() == "cannot write the journal");
}

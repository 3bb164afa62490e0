// Tests of the link shaper: bytes cross at its rate, queued behind earlier ones.
#include "proxy/bench/link_shaper.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;
using namespace std::chrono_literals;

TEST_CASE("a shaped link hands bytes on at its rate, earlier bytes first") {
    link_shaper link(1'000'000);  // 1 MB/s
    const link_shaper::clock::time_point t0{};
    CHECK(link.pass(500'000, t0) == t0 + 500ms);
    // Arriving while the link is busy: waits for the first piece.
    CHECK(link.pass(250'000, t0 + 100ms) == t0 + 750ms);
    // Arriving after it went idle: starts at once.
    CHECK(link.pass(1'000'000, t0 + 2s) == t0 + 3s);
}

TEST_CASE("connections that share a link share its bandwidth") {
    link_shaper link(2'000'000);
    const link_shaper::clock::time_point t0{};
    link_shaper::clock::time_point last{};
    for (int i = 0; i < 100; ++i) last = link.pass(40'000, t0);  // 4 MB from many connections at once
    CHECK(last == t0 + 2s);
}

TEST_CASE("a link without a bandwidth never delays") {
    link_shaper link;
    const link_shaper::clock::time_point t0{};
    CHECK(link.pass(1'000'000'000, t0) == t0);
}

// Tests of the pull quota an upstream announces: when strata spares it, and for how long.
#include "proxy/upstream/upstream_quota.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;
using namespace std::chrono_literals;

namespace {
const upstream_quota::clock::time_point t0{std::chrono::hours(1000)};
}

TEST_CASE("remaining pulls above the floor spare nothing; at the floor, for the answer's window") {
    upstream_quota q(10);
    CHECK_FALSE(q.sparing(t0));
    CHECK_FALSE(q.at(t0).remaining);
    q.observe(200, "100;w=21600", "76;w=21600", std::nullopt, t0);
    CHECK_FALSE(q.sparing(t0));
    auto v = q.at(t0);
    CHECK(v.limit == 100u);
    CHECK(v.remaining == 76u);
    CHECK(v.window_seconds == 21600);
    q.observe(200, "100;w=21600", "10;w=21600", std::nullopt, t0 + 1s);
    CHECK(q.sparing(t0 + 1s));
    CHECK(q.at(t0 + 1s).sparing_for == 21600s);
    CHECK(q.sparing(t0 + 21600s));
    CHECK_FALSE(q.sparing(t0 + 21601s));  // that answer's window has passed
    q.observe(200, "", "3", std::nullopt, t0 + 30000s);
    CHECK(q.sparing(t0 + 30000s));
    q.observe(200, "", "50;w=21600", std::nullopt, t0 + 30001s);  // pulls came back: a HEAD says so
    CHECK_FALSE(q.sparing(t0 + 30001s));
}

TEST_CASE("a 429 spares the upstream for its Retry-After, else its window, else a minute") {
    upstream_quota q(0);
    q.observe(429, "", "", 120s, t0);
    CHECK(q.sparing(t0 + 119s));
    CHECK_FALSE(q.sparing(t0 + 120s));
    upstream_quota windowed(0);
    windowed.observe(200, "", "5;w=600", std::nullopt, t0);
    windowed.observe(429, "", "", std::nullopt, t0);
    CHECK(windowed.sparing(t0 + 599s));
    CHECK_FALSE(windowed.sparing(t0 + 600s));
    upstream_quota plain(0);
    plain.observe(429, "", "", std::nullopt, t0);
    CHECK(plain.sparing(t0 + 59s));
    CHECK_FALSE(plain.sparing(t0 + 60s));
    plain.observe(429, "", "", 0ms, t0);  // "Retry-After: 0" still spares a second
    CHECK(plain.sparing(t0));
    upstream_quota recovered(10);
    recovered.observe(429, "", "", 86400s, t0);
    recovered.observe(200, "", "40;w=600", std::nullopt, t0 + 5s);  // more than the floor remain again
    CHECK_FALSE(recovered.sparing(t0 + 5s));
}

TEST_CASE("malformed rate-limit headers change nothing") {
    upstream_quota q(10);
    q.observe(200, "100;w=60", "80;w=60", std::nullopt, t0);
    q.observe(200, "lots", "-1", std::nullopt, t0);
    q.observe(200, "1e9", "5\r\nX: y", std::nullopt, t0);
    const auto v = q.at(t0);
    CHECK(v.limit == 100u);
    CHECK(v.remaining == 80u);
    CHECK_FALSE(v.sparing);
}

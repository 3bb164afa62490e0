// Tests of the circuit breaker: when an upstream counts as down, for how long, and the one probe.
#include "proxy/upstream/circuit_breaker.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;
using namespace std::chrono_literals;

namespace {
const circuit_breaker::clock::time_point start{std::chrono::hours(1000)};

breaker_config three_failures() { return {3, 1000ms, 8000ms}; }

// Fails n times at t.
void fail(circuit_breaker& b, int n, circuit_breaker::clock::time_point t) {
    for (int i = 0; i < n; ++i) b.failed(t);
}
}  // namespace

TEST_CASE("an upstream is down only after the configured failures in a row") {
    circuit_breaker b(three_failures(), 40s, 7);
    fail(b, 2, start);
    CHECK(b.admit(start).go);
    b.answered();  // an answer breaks the run
    fail(b, 2, start);
    CHECK(b.admit(start).go);
    CHECK_FALSE(b.at(start).down);
    b.failed(start);
    const auto refused = b.admit(start);
    CHECK_FALSE(refused.go);
    CHECK(refused.retry_at > start);
    CHECK(refused.retry_at <= start + 1000ms);
    CHECK(refused.retry_at >= start + 500ms);  // jitter takes at most half
    const auto v = b.at(start);
    CHECK(v.down);
    CHECK(v.consecutive_failures == 3);
    CHECK(v.times_down == 1);
    CHECK(v.retry_in > 0ms);
}

TEST_CASE("after the backoff one probe goes; the others wait for it") {
    circuit_breaker b(three_failures(), 40s, 7);
    fail(b, 3, start);
    const auto later = start + 1001ms;
    const auto probe = b.admit(later);
    CHECK(probe.go);
    CHECK(probe.probe);
    const auto other = b.admit(later);
    CHECK_FALSE(other.go);
    CHECK(other.retry_at == later + 40s);
    SECTION("an answer brings the upstream back") {
        b.answered();
        CHECK(b.admit(later).go);
        CHECK_FALSE(b.at(later).down);
        CHECK(b.at(later).consecutive_failures == 0);
    }
    SECTION("a failed probe doubles the backoff") {
        b.failed(later + 1ms);
        const auto refused = b.admit(later + 1ms);
        CHECK_FALSE(refused.go);
        CHECK(refused.retry_at >= later + 1ms + 1000ms);
        CHECK(refused.retry_at <= later + 1ms + 2000ms);
        CHECK(b.at(later).times_down == 1);  // still the same outage
    }
    SECTION("a probe that never reports frees its slot after the probe timeout") {
        CHECK_FALSE(b.admit(later + 39s).go);
        CHECK(b.admit(later + 40s).probe);
    }
}

TEST_CASE("the backoff grows to its cap and starts over once the upstream answers") {
    circuit_breaker b(three_failures(), 40s, 11);
    auto t = start;
    fail(b, 3, t);
    for (int i = 0; i < 10; ++i) {
        const auto refused = b.admit(t);
        REQUIRE_FALSE(refused.go);
        CHECK(refused.retry_at - t <= 8000ms);
        t = refused.retry_at;
        REQUIRE(b.admit(t).probe);
        b.failed(t);
    }
    CHECK(b.admit(t).retry_at - t >= 4000ms);  // capped at 8 s, less at most half
    b.answered();
    fail(b, 3, t);
    CHECK(b.admit(t).retry_at - t <= 1000ms);
    CHECK(b.at(t).times_down == 2);
}

TEST_CASE("failures of requests still in flight while down do not extend the backoff") {
    circuit_breaker b(three_failures(), 40s, 7);
    fail(b, 3, start);
    const auto until = b.admit(start).retry_at;
    fail(b, 5, start + 10ms);
    CHECK(b.admit(start + 10ms).retry_at == until);
}

TEST_CASE("zero failures means never down") {
    circuit_breaker b({0, 1000ms, 8000ms}, 40s, 7);
    fail(b, 100, start);
    CHECK(b.admit(start).go);
    CHECK_FALSE(b.at(start).down);
    CHECK(b.at(start).consecutive_failures == 100);
}

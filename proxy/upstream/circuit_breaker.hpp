// circuit_breaker: whether an upstream is down, from its connect failures and timeouts, and when
// it is tried again.
#pragma once

#include "proxy/config/config.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

namespace strata::proxy {

// Thread-safe; no I/O: tested by feeding it outcomes and times.
//  - up: every request goes to the upstream; `failures` connect failures or timeouts in a row
//    (breaker_config) mark it down;
//  - down: requests are refused at once (errc::upstream_down) until the backoff has passed;
//  - then one request at a time, the probe, goes to the upstream: an answer marks it up again,
//    a failure marks it down for a longer backoff (doubling up to max_backoff, with jitter). A
//    probe that reports nothing within probe_timeout frees the slot for another.
class circuit_breaker {
public:
    using clock = std::chrono::steady_clock;

    circuit_breaker(const breaker_config& cfg, std::chrono::milliseconds probe_timeout, std::uint64_t seed);

    struct admission {
        bool go = true;                 // false: refuse the request
        bool probe = false;             // this request tests whether a down upstream is back
        clock::time_point retry_at{};   // when refused: the next time a request may go
    };
    admission admit(clock::time_point now);

    // The outcome of a request that reached for the upstream: it answered (any status), or its
    // connection failed or timed out. Each returns true when it changed whether the upstream is
    // down (for the log).
    bool answered();
    bool failed(clock::time_point now);

    struct view {
        bool down = false;
        std::uint32_t consecutive_failures = 0;
        std::chrono::milliseconds retry_in{0};  // while down: until the next probe may go
        std::uint64_t times_down = 0;           // how often it went down since start
    };
    view at(clock::time_point now) const;

private:
    void go_down(clock::time_point now);

    const breaker_config cfg_;
    const std::chrono::milliseconds probe_timeout_;
    mutable std::mutex mutex_;
    std::minstd_rand jitter_;
    std::uint32_t failures_ = 0;
    bool down_ = false;
    clock::time_point down_until_{};
    clock::time_point probe_until_{};  // a probe is out until then
    std::chrono::milliseconds backoff_;
    std::uint64_t times_down_ = 0;
};

}  // namespace strata::proxy

// upstream_quota: what an upstream says of its pull quota (Docker Hub's RateLimit headers and
// 429 answers), and whether strata should spare it.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>

namespace strata::proxy {

// Thread-safe; fed every answer of the upstream's own origin (not of a CDN it redirects to),
// read by tag revalidation, the metrics and /api/v1/stats. No I/O: tested by feeding it answers
// and times.
class upstream_quota {
public:
    using clock = std::chrono::steady_clock;

    // floor: at or below this many remaining pulls, strata spares the upstream.
    explicit upstream_quota(std::uint64_t floor) : floor_(floor) {}

    // One answer: its status, its RateLimit-Limit and RateLimit-Remaining values (empty when
    // absent; malformed ones are ignored), and its Retry-After, if any.
    void observe(unsigned status, std::string_view limit, std::string_view remaining,
                 std::optional<std::chrono::milliseconds> retry_after, clock::time_point now);

    struct view {
        std::optional<std::uint64_t> limit, remaining;
        std::uint64_t window_seconds = 0;
        bool sparing = false;
        std::chrono::seconds sparing_for{0};  // until sparing ends, as far as strata knows
    };
    view at(clock::time_point now) const;

    // True while strata should spare the upstream: its last answer said the remaining pulls were
    // at or below the floor (for that answer's window at most, a minute when it named none), or
    // it answered 429 (until its Retry-After, else its window, else a minute, or until an answer
    // says more than the floor remain). Tags past their
    // TTL are then served from cache, marked stale, instead of being pulled again.
    bool sparing(clock::time_point now) const;

private:
    std::chrono::seconds window_or_minute() const;
    clock::time_point sparing_until() const;

    const std::uint64_t floor_;
    mutable std::mutex mutex_;
    std::optional<std::uint64_t> limit_, remaining_;
    std::uint64_t window_seconds_ = 0;
    clock::time_point low_until_{};        // remaining at or below the floor until then
    clock::time_point throttled_until_{};  // a 429 until then
};

}  // namespace strata::proxy

// crawl_pacer: when a crawl's next request may go. After a 429 or 503 every worker waits
// (Retry-After when the answer gives one, else 1 s doubling to 60 s); while strata reports an
// upstream sparing its pull quota, requests to it wait that out; a wait past max_pause stops
// the crawl instead, so it can be resumed once the quota is back. Thread-safe; the decisions
// take the time as an argument and are tested without clocks.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace strata::proxy {

class crawl_pacer {
public:
    using clock = std::chrono::steady_clock;

    explicit crawl_pacer(std::chrono::seconds max_pause) : max_pause_(max_pause) {}

    // When a request to upstream may go (now or later), or nullopt when the crawl must stop
    // (stop_reason() says why). An upstream strata's stats did not name (an image without a
    // registry, an alias) waits for the longest quota pause of any upstream: over-waiting
    // costs time, under-waiting costs the quota.
    std::optional<clock::time_point> next_turn(const std::string& upstream, clock::time_point now);

    // A 429 or 503 answer, with its Retry-After in seconds when it had one.
    void refused(clock::time_point now, std::optional<std::chrono::seconds> retry_after);
    // Any other answer: the backoff starts again from 1 s.
    void answered();
    // What strata's /api/v1/stats says of an upstream: sparing its quota for so long.
    void quota(const std::string& upstream, bool sparing, std::chrono::seconds sparing_for, clock::time_point now);

    // Stops the crawl (a journal that cannot be written): every later next_turn is nullopt.
    void stop(const std::string& reason);

    std::string stop_reason() const;

private:
    std::chrono::seconds max_pause_;
    mutable std::mutex mutex_;
    clock::time_point resume_at_{};                            // after a refusal, for every upstream
    std::chrono::seconds backoff_{1};
    std::string sparing_names() const;  // with mutex_ held

    std::map<std::string, clock::time_point> sparing_until_;  // per upstream
    std::set<std::string> known_;                             // upstreams strata's stats named
    std::string stop_reason_;
};

}  // namespace strata::proxy

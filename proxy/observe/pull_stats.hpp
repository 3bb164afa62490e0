// pull_stats: hit ratios over sliding windows and top repositories and blobs, for /api/v1/stats.
#pragma once

#include "storage/events/pull_event.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace strata::proxy {

// Served from cache means cache status hit or stale; went upstream means miss; coalesced
// requests shared someone else's upstream fetch. Errors count in no ratio. Thread-safe.
class pull_stats {
public:
    struct totals {
        std::uint64_t requests = 0, cached = 0, upstream = 0, coalesced = 0, errors = 0;
        std::uint64_t bytes = 0, cached_bytes = 0, coalesced_bytes = 0;
        totals& operator+=(const totals& o);
    };

    void add(const storage::pull_event& e);
    // The JSON document of /api/v1/stats at time now_s (seconds since the epoch).
    nlohmann::json report(std::int64_t now_s, std::size_t top_n = 10) const;

    static constexpr std::size_t top_limit = 100000;  // distinct repositories or blobs tracked

private:
    static constexpr std::size_t window_seconds = 3600;
    struct bucket {
        std::int64_t second = -1;
        totals t;
    };
    struct usage {
        std::uint64_t pulls = 0, bytes = 0;
    };
    totals window(std::int64_t now_s, std::int64_t seconds) const;
    static nlohmann::json ratios(const totals& t);
    static nlohmann::json top(const std::map<std::string, usage>& m, std::size_t n, bool by_bytes);

    mutable std::mutex mutex_;
    std::array<bucket, window_seconds> buckets_{};
    totals all_;
    std::map<std::string, usage> repositories_;
    std::map<std::string, usage> blobs_;
};

}  // namespace strata::proxy

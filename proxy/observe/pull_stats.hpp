// pull_stats: hit ratios over sliding windows and top repositories, blobs and nodes, for /api/v1/stats.
#pragma once

#include "storage/events/pull_event.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "proxy/thread_shards.hpp"

namespace strata::proxy {

// Served from cache means cache status hit or stale; went upstream means miss; coalesced
// requests shared someone else's upstream fetch. Errors count in no ratio. Thread-safe: each
// thread adds to its own shard (thread_shards.hpp), and a report merges them.
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
    // The n repositories ("upstream/repository") that took the most bytes, with their bytes.
    std::vector<std::pair<std::string, std::uint64_t>> top_repositories_by_bytes(std::size_t n) const;

    static constexpr std::size_t top_limit = 100000;  // distinct repositories, blobs or nodes tracked, each

private:
    static constexpr std::size_t window_seconds = 3600;
    struct bucket {
        std::int64_t second = -1;
        totals t;
    };
    struct usage {
        std::uint64_t pulls = 0, bytes = 0;
    };
    using usage_map = std::map<std::string, usage, std::less<>>;
    // One thread's counts: the same shape as the whole, each map bounded by its share of top_limit.
    struct counts {
        std::array<bucket, window_seconds> buckets{};
        totals all;
        usage_map repositories;
        usage_map blobs;
        usage_map nodes;  // X-Strata-Node, else the client address
    };
    static constexpr std::size_t shard_count = 8;
    static constexpr std::size_t shard_top_limit = top_limit / shard_count;

    static totals window(const counts& c, std::int64_t now_s, std::int64_t seconds);
    static nlohmann::json ratios(const totals& t);
    static std::vector<std::pair<std::string, usage>> largest(const usage_map& m, std::size_t n, bool by_bytes);
    static nlohmann::json top(const usage_map& m, std::size_t n, bool by_bytes);
    static void merge(usage_map& into, const usage_map& from);

    mutable thread_shards<std::unique_ptr<counts>, shard_count> shards_;  // made on a thread's first add
};

}  // namespace strata::proxy

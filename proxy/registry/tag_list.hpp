// Tag listing: the upstream's full tag list, cached per repository, paginated by strata.
#pragma once

#include "proxy/config/config.hpp"
#include "proxy/observe/metrics.hpp"
#include "proxy/net.hpp"
#include "proxy/protocol/route.hpp"
#include "proxy/protocol/tag_pages.hpp"
#include "proxy/registry/single_flight.hpp"
#include "proxy/upstream/upstream_set.hpp"

#include <chrono>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace strata::proxy {

// Fetches whole tag lists from upstream (following the upstream's own pagination up to a
// bound), one fetch at a time per repository however many clients ask, and keeps each for the
// upstream's tag_ttl within a byte budget (least recently used dropped first). Thread-safe.
class tag_list_service {
public:
    static constexpr int max_upstream_pages = 100;
    static constexpr std::size_t max_list_bytes = 16 << 20;
    using tag_list = std::shared_ptr<const std::vector<std::string>>;

    tag_list_service(const config& cfg, upstream_set& upstreams, metrics& m)
        : cfg_(cfg), upstreams_(upstreams), metrics_(m) {}

    awaitable<result<tag_list>> sorted_tags(const route& r);

    std::size_t bytes() const;
    std::size_t byte_budget() const noexcept { return cfg_.cache.tag_list_memory_bytes; }

private:
    awaitable<result<tag_list>> fetch_sorted(const route& r);
    awaitable<result<std::vector<std::string>>> fetch_all(const route& r);
    tag_list find_fresh(const std::string& key, std::chrono::steady_clock::time_point now,
                        std::chrono::seconds ttl);
    void keep(const std::string& key, tag_list tags, std::chrono::steady_clock::time_point fetched);

    struct entry {
        tag_list tags;
        std::chrono::steady_clock::time_point fetched;
        std::size_t bytes;
        std::list<std::string>::iterator recency;
    };
    const config& cfg_;
    upstream_set& upstreams_;
    metrics& metrics_;
    mutable std::mutex mutex_;
    std::map<std::string, entry> cache_;
    std::list<std::string> recency_;  // keys, most recently used first
    std::size_t bytes_ = 0;
    single_flight<result<tag_list>> flights_;
};

}  // namespace strata::proxy

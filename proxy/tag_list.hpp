// Tag listing: the upstream's full tag list, cached per repository, paginated by strata.
#pragma once

#include "proxy/config.hpp"
#include "proxy/net.hpp"
#include "proxy/route.hpp"
#include "proxy/upstream_set.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace strata::proxy {

// One page of a lexically sorted tag list.
struct tag_page {
    std::vector<std::string> tags;
    bool more = false;  // tags remain after this page
};

// Picks the page after `last` (exclusive) with at most n entries (all when n is unset)
// from a sorted list.
tag_page paginate_tags(const std::vector<std::string>& sorted, std::optional<std::size_t> n,
                       const std::string& last);

// The Link header value for the page after `last_tag` ("</v2/<name>/tags/list?n=..&last=..>; rel=\"next\"").
std::string next_page_link(const route& r, std::size_t n, const std::string& last_tag);

// Fetches whole tag lists from upstream (following the upstream's own pagination up to a
// bound) and keeps each for the upstream's tag_ttl. Thread-safe.
class tag_list_service {
public:
    static constexpr int max_upstream_pages = 100;
    static constexpr std::size_t max_list_bytes = 16 << 20;

    tag_list_service(const config& cfg, upstream_set& upstreams) : cfg_(cfg), upstreams_(upstreams) {}

    awaitable<result<std::shared_ptr<const std::vector<std::string>>>> sorted_tags(const route& r);

private:
    awaitable<result<std::vector<std::string>>> fetch_all(const route& r);

    struct entry {
        std::shared_ptr<const std::vector<std::string>> tags;
        std::chrono::steady_clock::time_point fetched;
    };
    const config& cfg_;
    upstream_set& upstreams_;
    std::mutex mutex_;
    std::map<std::string, entry> cache_;
};

}  // namespace strata::proxy

// referrers_service: the referrers of a manifest (OCI 1.1), from memory, the index or upstream.
#pragma once

#include "proxy/config/config.hpp"
#include "proxy/net.hpp"
#include "proxy/observe/metrics.hpp"
#include "proxy/protocol/route.hpp"
#include "proxy/registry/manifest_service.hpp"
#include "proxy/registry/single_flight.hpp"
#include "proxy/upstream/upstream_set.hpp"
#include "storage/index/metadata_index.hpp"
#include "storage/oci/referrers.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace strata::proxy {

// A subject's referrers as strata holds them: the validated descriptors and their unfiltered
// index, rendered by strata.
struct referrers_entry {
    std::string subject;  // the digest they refer to
    std::vector<storage::referrer> refs;
    std::string index;
    std::string response_head;  // the header lines of a 200 with the unfiltered index (shared_response)
    std::int64_t fetched_at_ns = 0;
};

struct referrers_result {
    std::shared_ptr<const referrers_entry> entry;
    cache_status status = cache_status::miss;
};

// Asks the upstream's referrers API (GET /v2/<name>/referrers/<digest>, following its Link
// pages up to a bound); when the upstream has none (404 or 405), builds the list from the
// referrers tag schema (the index tagged "<alg>-<hex>"), and from nothing, an empty list, when
// that tag does not exist either. Descriptors are checked (storage::parse_referrers) and the
// index re-rendered, so no upstream byte is passed on unchecked. A list is kept, in memory and
// the index, for the upstream's tag_ttl like a tag; past it, it is fetched again (awaited at
// most cache.stale_wait), and served stale when the upstream fails, is down or is slow, and
// from cache offline. Concurrent requests for one subject share one upstream fetch.
// Thread-safe; one instance serves all sessions.
class referrers_service {
public:
    static constexpr int max_upstream_pages = 16;
    static constexpr std::size_t max_page_bytes = 1 << 20;
    static constexpr std::size_t max_total_bytes = 4 << 20;

    referrers_service(const config& cfg, upstream_set& upstreams, storage::metadata_index& index,
                      asio::thread_pool& blocking, metrics& m);

    awaitable<result<referrers_result>> get(const route& r);

    std::size_t bytes() const;
    std::size_t byte_budget() const noexcept { return byte_budget_; }

private:
    using entry_ptr = std::shared_ptr<const referrers_entry>;

    entry_ptr remembered(const std::string& key) const;
    void remember(const std::string& key, entry_ptr e);
    awaitable<entry_ptr> load(const route& r, const storage::digest& subject, const std::string& key);
    awaitable<result<entry_ptr>> refresh(route r, storage::digest subject, std::string key, bool retry);
    awaitable<result<storage::referrer_list>> fetch_api(const route& r, const storage::digest& subject, bool retry);
    awaitable<result<storage::referrer_list>> fetch_tag_schema(const route& r, const storage::digest& subject, bool retry);
    bool fresh(const referrers_entry& e, const route& r) const;

    const config& cfg_;
    upstream_set& upstreams_;
    storage::metadata_index& index_;
    asio::thread_pool& blocking_;
    metrics& metrics_;
    const std::size_t byte_budget_;
    mutable std::mutex mutex_;
    std::map<std::string, entry_ptr> memory_;  // within byte_budget_: starts empty again when full
    std::size_t bytes_ = 0;
    single_flight<result<entry_ptr>> flights_;
};

}  // namespace strata::proxy

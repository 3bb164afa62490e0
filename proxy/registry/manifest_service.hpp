// manifest_service: resolves manifests by tag or digest from memory, the index or upstream.
#pragma once

#include "proxy/protocol/accept.hpp"
#include "proxy/config/config.hpp"
#include "proxy/registry/manifest_cache.hpp"
#include "proxy/net.hpp"
#include "proxy/protocol/route.hpp"
#include "proxy/registry/not_found_memo.hpp"
#include "proxy/registry/single_flight.hpp"
#include "proxy/upstream/upstream_set.hpp"
#include "storage/index/metadata_index.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>

namespace strata::proxy {

enum class cache_status { hit, miss, revalidated, stale, coalesced };

std::string_view to_string(cache_status s) noexcept;

struct manifest_result {
    std::shared_ptr<const cached_manifest> manifest;
    cache_status status = cache_status::miss;
    std::int64_t upstream_ns = 0;       // time of the upstream GET, when one was made
    std::uint64_t upstream_bytes = 0;
};

// Digests are immutable: a manifest fetched by digest is served from cache forever. A tag
// mapping is trusted for its upstream's tag_ttl, then revalidated with a HEAD; when the
// upstream cannot answer (or is down, or quiet for cache.stale_wait while the HEAD goes on in
// the background), the last known mapping is served as stale. Every manifest taken
// from upstream is checked against its sha256 (and the requested digest) before it is kept.
// Concurrent misses for the same digest, or the same tag and Accept list, share one
// upstream request, and an upstream's 404 for either is remembered for cache.not_found_ttl.
// Thread-safe; one instance serves all sessions.
class manifest_service {
public:
    // HEADs that outlive their requests (cache.stale_wait), at most this many at once; past it a
    // tag past its TTL is served stale without asking.
    static constexpr std::size_t max_background_revalidations = 256;

    manifest_service(const config& cfg, upstream_set& upstreams, storage::metadata_index& index,
                     asio::thread_pool& blocking, metrics& m);

    awaitable<result<manifest_result>> get(const route& r, const accept_list& accept);

    // The manifest with this digest if memory holds it (null otherwise, and for any text that
    // is not a digest): the hot path, with no index, upstream or coroutine.
    std::shared_ptr<const cached_manifest> in_memory(std::string_view digest) { return memory_.find(digest); }

    // Bytes held in memory by hot manifests and by tag mappings, with their budgets.
    const manifest_cache& hot_manifests() const noexcept { return memory_; }
    std::size_t tag_memo_bytes() const { return tags_.bytes(); }
    std::size_t tag_memo_budget() const noexcept { return tags_.byte_budget(); }
    const not_found_memo& not_found() const noexcept { return not_found_; }

private:
    // Hot tag mappings in memory, written through to the index. Within a byte budget: when full
    // it starts empty again (the index still holds every mapping).
    class tag_memo {
    public:
        explicit tag_memo(std::size_t byte_budget) : byte_budget_(byte_budget) {}
        std::optional<storage::tag_record> find(const std::string& key);
        void store(const std::string& key, const storage::tag_record& record);
        std::size_t bytes() const;
        std::size_t byte_budget() const noexcept { return byte_budget_; }

    private:
        std::size_t byte_budget_;
        mutable std::mutex mutex_;
        std::map<std::string, storage::tag_record> records_;
        std::size_t bytes_ = 0;
    };

    // Tags a background revalidation found moved (at most 4096): their next request fetches.
    class moved_tags {
    public:
        void add(const std::string& key);
        bool take(const std::string& key);  // true once after add

    private:
        std::mutex mutex_;
        std::set<std::string> keys_;
    };

    std::shared_ptr<const cached_manifest> fresh_from_memory(const route& r, const accept_list& accept);
    awaitable<std::optional<storage::tag_record>> load_tag(const route& r);
    awaitable<result<manifest_result>> get_by_digest(const route& r, const storage::digest& d,
                                                     const accept_list& accept);
    awaitable<result<manifest_result>> get_by_tag(const route& r, const accept_list& accept);
    awaitable<result<manifest_result>> fetch_upstream(const route& r, const accept_list& accept,
                                                      const storage::digest* expected);
    awaitable<std::shared_ptr<const cached_manifest>> load_cached(const std::string& digest);
    // The upstream's digest for the tag, nullopt if it has not answered within cache.stale_wait.
    // The HEAD goes on in the background, one per tag and Accept list at a time, and renews the
    // mapping if it confirms the cached manifest.
    awaitable<std::optional<result<std::string>>> revalidate(const route& r, const accept_list& accept,
                                                             std::shared_ptr<const cached_manifest> cached);
    awaitable<result<std::string>> revalidation(route r, accept_list accept, std::shared_ptr<const cached_manifest> cached);
    awaitable<result<std::string>> head_upstream_digest(const route& r, const accept_list& accept);
    awaitable<bool> store_tag(const route& r, const cached_manifest& m);
    http::fields upstream_headers(const accept_list& accept) const;

    const config& cfg_;
    upstream_set& upstreams_;
    storage::metadata_index& index_;
    asio::thread_pool& blocking_;
    metrics& metrics_;
    manifest_cache memory_;
    tag_memo tags_;
    not_found_memo not_found_;
    single_flight<result<manifest_result>> flights_;
    single_flight<result<std::string>> revalidations_;
    moved_tags moved_;
};

}  // namespace strata::proxy

// registry_api: the registry API's endpoints (manifests, blobs, tag lists) over the services they use.
#pragma once

#include "proxy/config/config.hpp"
#include "proxy/net.hpp"
#include "proxy/observe/access_recorder.hpp"
#include "proxy/protocol/byte_range.hpp"
#include "proxy/protocol/route.hpp"
#include "proxy/registry/blob_fetcher.hpp"
#include "proxy/registry/manifest_service.hpp"
#include "proxy/registry/referrers_service.hpp"
#include "proxy/registry/repository_access.hpp"
#include "proxy/registry/tag_list.hpp"
#include "proxy/reply/reply.hpp"
#include "proxy/upstream/upstream_set.hpp"
#include "storage/blobs/blob_store.hpp"
#include "storage/eviction/cache_evictor.hpp"

#include <optional>

namespace strata::proxy {

// Answers GET and HEAD of manifests, blobs, tag lists and referrers. Only a blob GET streams: every other
// answer is whole, and a hot manifest's comes with its pre-built header lines.
struct registry_api {
    // A range that ends within this many bytes past what a running download has written waits
    // for the download instead of being passed through.
    static constexpr std::uint64_t range_wait_window = 1 << 20;

    const cache_config& cache;  // offline, range_fetches_whole
    upstream_set& upstreams;
    manifest_service& manifests;
    tag_list_service& tag_lists;
    referrers_service& referrers;
    repository_access& access;
    blob_fetcher& fetcher;
    storage::blob_store& blobs;
    storage::cache_evictor& evictor;
    access_recorder& accesses;
    std::chrono::milliseconds idle_timeout;  // longest pause inside an upstream body (ranges passed through)

    // The reply to req for r, a manifest, blob or tags/list route. Not a coroutine itself: it
    // returns the endpoint's, so the hot path has one coroutine frame fewer. req and r must
    // outlive the awaitable.
    awaitable<reply> answer(const request& req, const route& r) const;

private:
    std::optional<reply> hot_manifest(const request& req, const route& r) const;
    awaitable<reply> manifest(const request& req, const route& r) const;
    reply served_manifest(const request& req, manifest_result found) const;
    awaitable<reply> blob(const request& req, const route& r) const;
    awaitable<reply> tags(const route& r) const;
    awaitable<reply> referrers_of(const route& r) const;
    awaitable<reply> uncached_blob_head(const route& r, const storage::digest& d) const;
    // cached: the blob was found committed when the request came (no download running for it).
    std::optional<reply> ranged_blob(const route& r, const storage::digest& d, bool cached,
                                     std::vector<range_spec> specs) const;
    void record_hit(const storage::digest& d) const;
    reply failure(error_code ec, const route& r, std::string_view detail) const;
};

}  // namespace strata::proxy

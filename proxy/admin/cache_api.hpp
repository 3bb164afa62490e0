// cache_api: DELETE /api/v1/cache?ref=upstream/repository:tag (or @digest): one image's blobs
// evicted on demand, for a cold-cache benchmark or an operator's clean-up.
#pragma once

#include "proxy/net.hpp"
#include "proxy/reply/reply.hpp"
#include "storage/eviction/cache_evictor.hpp"
#include "storage/index/metadata_index.hpp"

namespace strata::proxy {

// Removes every cached blob (configs and layers, of every platform) the image's manifest
// reaches, on the blocking pool. Blobs being served or pinned stay and are counted. The
// manifests stay in the index (kilobytes; the next pull revalidates its tag as usual). Answers
// {"ref", "digest", "removed_blobs", "removed_bytes", "in_use", "pinned", "not_cached"}; 400 for
// a malformed ref, 404 when the index does not know it, 405 for a method other than DELETE.
awaitable<reply> handle_cache_eviction(storage::metadata_index& index, storage::cache_evictor& evictor,
                                       asio::thread_pool& blocking, const request& req);

}  // namespace strata::proxy

// image_status_api: GET /api/v1/image?ref=upstream/repository:tag (or @digest): is the image fully cached?
#pragma once

#include "proxy/net.hpp"
#include "proxy/reply/reply.hpp"
#include "storage/index/metadata_index.hpp"

namespace strata::proxy {

// {"digest", "complete", "manifests", "blobs", "missing_manifests", "missing_blobs", "ref"} from the
// index (on the blocking pool); 400 for a malformed ref, 404 when the index does not know it.
awaitable<reply> handle_image_status(storage::metadata_index& index, asio::thread_pool& blocking, const request& req);

}  // namespace strata::proxy

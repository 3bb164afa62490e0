// images_api: GET /api/v1/images: the cached images, a page at a time.
#pragma once

#include "proxy/net.hpp"
#include "proxy/reply/reply.hpp"
#include "storage/index/image_listing.hpp"

#include <nlohmann/json.hpp>

namespace strata::proxy {

// The most images one page may hold (?n=); the default is 100.
inline constexpr std::size_t max_images_per_page = 1000;

// {"images": [{"ref", "upstream", "repository", "tag", "digest", "complete", "cached_bytes",
// "blobs", "missing_blobs", "last_pull"}...], "next": "<key>"} (next only when more follow): the
// shape of the API's answer and of `strata images --format json`.
nlohmann::json images_json(const storage::image_page& page);

// ?n=1..1000 (default 100) and ?last=<the previous page's next>; 400 naming the parameter
// otherwise. The listing runs on the blocking pool.
awaitable<reply> handle_images(storage::metadata_index& index, asio::thread_pool& blocking, const request& req);

}  // namespace strata::proxy

// prefetch: pulls whole images (manifests, configs, layers) into the cache before a job needs them.
#pragma once

#include "proxy/net.hpp"
#include "proxy/config/config.hpp"
#include "proxy/registry/blob_fetcher.hpp"
#include "proxy/registry/manifest_service.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace strata::proxy {

struct prefetch_options {
    // As a client would name them: "ghcr.io/org/app:v1", "ubuntu:22.04", "nvcr.io/x/y@sha256:…".
    std::vector<std::string> images;
    std::string platform;  // "linux/amd64[/variant]" picks one platform of an index; empty: all
    std::size_t concurrency = 4;
};

struct prefetch_summary {
    std::size_t images = 0, images_failed = 0, manifests = 0;
    std::size_t blobs_fetched = 0, blobs_cached = 0, blobs_failed = 0;
    std::uint64_t bytes_fetched = 0;
    std::vector<std::string> errors;

    nlohmann::json to_json() const;
};

// What a prefetch uses: the configuration (to name upstreams), manifests and the blob fetcher.
struct prefetch_services {
    const config& cfg;
    manifest_service& manifests;
    blob_fetcher& fetcher;
};

// Called with one JSON object per finished blob or failed image, in completion order.
using prefetch_progress = std::function<awaitable<void>(const nlohmann::json&)>;

// Resolves every image through the manifest service (so manifests are cached too), then
// fetches its blobs with at most `concurrency` downloads at once, each through the blob
// fetcher (so a prefetch and a client asking for the same blob share one download). Already
// cached blobs are counted, not fetched. Runs on the caller's executor.
awaitable<prefetch_summary> prefetch_images(const prefetch_services& services, const prefetch_options& options,
                                            const prefetch_progress& progress);

}  // namespace strata::proxy

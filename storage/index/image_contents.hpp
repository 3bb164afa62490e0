// image_contents: what an image consists of, as far as the index knows, and whether it is all cached.
#pragma once

#include "storage/index/metadata_index.hpp"

#include <string>
#include <vector>

namespace strata::storage {

struct image_contents {
    std::vector<std::string> manifests;          // the image's manifest, and per-platform ones of an index
    std::vector<std::string> blobs;              // configs and layers, each once
    std::vector<std::string> missing_manifests;  // referenced but not in the index
    std::vector<std::string> missing_blobs;      // referenced but not cached (never fetched, or evicted)

    // Every manifest and blob is cached: the image pulls with the upstream gone.
    bool complete() const { return missing_manifests.empty() && missing_blobs.empty(); }
};

// Walks from a manifest (an index reaches its child manifests, nested up to a few levels) and
// checks each blob against the index. Computed on demand, so it can never disagree with
// eviction. Synchronous RocksDB reads.
image_contents contents_of(const metadata_index& index, const digest& manifest);

}  // namespace strata::storage

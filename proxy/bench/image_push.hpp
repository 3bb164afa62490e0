// image_push: generating the images of a list of shapes and pushing them to a registry.
#pragma once

#include "proxy/bench/image_shapes.hpp"
#include "proxy/bench/layer_generator.hpp"
#include "proxy/bench/push_client.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace strata::proxy {

struct image_push_plan {
    std::vector<image_shape> shapes;
    std::uint64_t seed = 1;
    double compressibility = 0;
    layer_compression compression = layer_compression::gzip;
    std::uint64_t base_bytes = 0;     // a layer every image starts with (a shared base), 0: none
    std::string repository_prefix = "bench";
    std::string tag;                  // "" : "s<seed>", or "s<seed>-zstd"
    std::uint64_t chunk_bytes = 0;    // 0: each blob in one PUT
    std::filesystem::path work_dir;   // where layers are written before they are pushed
};

struct pushed_image {
    std::string ref;         // registry/repository:tag
    std::string repository, tag, shape;
    std::string digest;      // the manifest's
    std::uint64_t bytes = 0; // compressed layers, config and manifest
    unsigned layers = 0;
    unsigned uploaded = 0, mounted = 0, present = 0;  // how each blob got there
};

// Generates each shape's layers (into work_dir, one at a time, removed once pushed) and pushes
// blobs, config and manifest. A layer the registry already has is not uploaded; the base layer,
// once pushed, is mounted into the other repositories. progress gets a line per step. Throws
// push_error when the registry refuses.
std::vector<pushed_image> push_images(push_client& registry, const image_push_plan& plan,
                                      const std::function<void(const std::string&)>& progress);

}  // namespace strata::proxy

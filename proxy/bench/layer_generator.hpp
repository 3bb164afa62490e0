// layer_generator: reproducible image layers: seeded bytes in a tar, gzip- or zstd-compressed, hashed.
#pragma once

#include "storage/oci/digest.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace strata::proxy {

enum class layer_compression { gzip, zstd };

// The OCI layer media type: application/vnd.oci.image.layer.v1.tar+gzip or +zstd.
std::string_view layer_media_type(layer_compression c) noexcept;
// "gzip" or "zstd"; throws std::invalid_argument naming what was given otherwise.
layer_compression parse_layer_compression(std::string_view text);

// What one layer is made of. The same recipe gives the same bytes, and so the same digest, on
// every machine with the same zlib (or libzstd).
struct layer_recipe {
    std::uint64_t seed = 0;
    std::uint64_t compressed_bytes = 0;  // about this many bytes once compressed
    double compressibility = 0;          // 0 (random bytes) up to 0.95: the share that compresses away
    std::string directory;               // where its files are in the image: "bench/layer-1"
    layer_compression compression = layer_compression::gzip;
};

struct generated_layer {
    storage::digest digest;   // of the compressed bytes: the blob
    std::uint64_t size = 0;   // compressed bytes
    storage::digest diff_id;  // of the uncompressed tar: the config's rootfs entry
    layer_compression compression = layer_compression::gzip;
};

// The seed of one layer, from the run's seed and what sets the layer apart (splitmix64 steps).
std::uint64_t layer_seed(std::uint64_t run_seed, std::uint64_t a, std::uint64_t b, std::uint64_t c);

// Writes the layer's compressed bytes to sink, in pieces, and returns what identifies it. The
// tar holds the recipe's bytes as files of at most 1 GiB under its directory, each block of
// them part random and part zeros by the compressibility; gzip at level 1 with header time 0,
// or zstd at level 1 on one thread with the frame checksum.
// Throws std::invalid_argument for a compressibility outside [0, 0.95] or a size of 0.
generated_layer generate_layer(const layer_recipe& recipe, const std::function<void(std::string_view)>& sink);

}  // namespace strata::proxy

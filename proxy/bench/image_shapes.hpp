// image_shapes: the images a benchmark generates, written as SIZE:LAYERS ("1GB:4,5GB:8").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::proxy {

// One image to generate: about `bytes` compressed, in `layers` layers of equal size.
struct image_shape {
    std::uint64_t bytes = 0;
    unsigned layers = 1;
    std::string text;  // as the user wrote it ("1GB:4"): the label of its pulls
    // Each layer's share of bytes, in the image's order (a corpus image's profile); empty: the
    // layers are equal. layer_bytes applies it.
    std::vector<double> layer_shares;

    // Layer i's bytes: its share of the total, and at least min_layer_bytes.
    std::uint64_t layer_bytes(unsigned i) const;

    // The repository it is pushed to under a prefix: "bench/1gb-4".
    std::string repository(std::string_view prefix) const;
};

constexpr unsigned max_shape_layers = 1000;
constexpr std::uint64_t min_layer_bytes = 1024;
constexpr std::uint64_t max_shape_bytes = std::uint64_t{1} << 40;  // 1 TiB

// Parses a comma-separated list of SIZE:LAYERS. Throws std::invalid_argument naming the item
// at fault: no colon, a size that is not a size, 0 or over 1000 layers, layers under 1 KiB,
// over 1 TiB in all, or the same shape twice.
std::vector<image_shape> parse_image_shapes(std::string_view text);

}  // namespace strata::proxy

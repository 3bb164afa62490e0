// corpus_shapes: image shapes drawn from a real corpus: its p50 and p90 image (the "average
// container" and a large one), or a seeded sample of its images' sizes and layer counts.
#pragma once

#include "proxy/bench/image_shapes.hpp"

#include <cstdint>
#include <vector>

namespace strata::proxy {

struct corpus_image {
    std::uint64_t bytes = 0;  // compressed layers
    unsigned layers = 0;
    std::vector<std::uint64_t> layer_bytes;  // each layer's, in the image's order; empty: not known
};

// Sans-I/O. The p50 and p90 of the corpus's total sizes, each with the layer count at the same
// percentile of layer counts and the layer-size profile of the corpus image of that many layers
// whose size is nearest. Images without layers are left out; throws std::invalid_argument when
// none is left.
std::vector<image_shape> typical_shapes(std::vector<corpus_image> corpus);

// n images drawn (with replacement, seeded) from the corpus, each as its own size, layer count
// and layer sizes: the corpus's joint distribution. Repeated shapes are kept once. Throws
// std::invalid_argument for an empty corpus.
std::vector<image_shape> sampled_shapes(const std::vector<corpus_image>& corpus, std::size_t n, std::uint64_t seed);

}  // namespace strata::proxy

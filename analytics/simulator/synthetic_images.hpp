// synthetic_images: seeded, reproducible images whose layer counts, layer sizes and sharing
// follow the published survey of research and ML images (see ../shared/data/README.md).
#pragma once

#include "analytics/inputs/image.hpp"

#include <cstdint>
#include <utility>
#include <vector>

namespace strata::analytics {

// Inverse CDF by log-linear interpolation between (quantile, value) points, quantiles 0..1.
double quantile_sample(const std::vector<std::pair<double, double>>& points, double u);

struct synthetic_spec {
    std::size_t images = 2000;
    std::size_t layer_universe = 40000;  // distinct layer digests the images draw from
    std::size_t base_stacks = 1000;      // shared base images, chosen with Zipf popularity
    double zipf_exponent = 0.95;
    // Share of images that also carry the 32-byte empty layer (sha256:4f4fb700…) that BuildKit
    // writes for steps that change no file; the survey found it in 67,897 of 256,970 images
    // (0.26). 0 draws nothing, so specs without it give the same images as before.
    double empty_layer_share = 0;
    // 0: each image its own repository ("img<i>:v1"), as before. Otherwise image i is tag
    // "v<i / repositories>" of repository "repo<i % repositories>", created a day after the
    // tag before it: the survey's 256,970 tags came from 1,521 repositories.
    std::size_t repositories = 0;
    // Adds a config history: one build step per layer, a package install in a third of them,
    // half of those without cleaning the package cache (for the hygiene analysis).
    bool with_history = false;
    std::uint64_t seed = 1;
};

// Each image: a layer count from the survey's layers-per-image quantiles; a base stack
// (1-5 layers, shared with every image on that base, Zipf-popular); the remaining layers
// drawn uniformly from the universe (occasional sharing, as unrelated images have). Layer
// sizes from the survey's layer-size quantiles, fixed per digest. Same spec, same images.
std::vector<image> synthetic_images(const synthetic_spec& spec);

}  // namespace strata::analytics

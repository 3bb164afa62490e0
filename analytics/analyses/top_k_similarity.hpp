// top_k_similarity: each image's k most similar images by Jaccard over its id set (layer
// digests or build steps), exact, found through an inverted index: no n×n matrix.
#pragma once

#include "analytics/analyses/similarity.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace strata::analytics {

struct neighbour {
    std::uint32_t image = 0;
    std::uint32_t shared = 0, united = 0;  // |A ∩ B| and |A ∪ B|: the similarity, exactly
    double similarity() const noexcept { return united ? static_cast<double>(shared) / united : 0.0; }
};

struct top_k_result {
    std::size_t k = 0;
    std::vector<std::vector<neighbour>> of;  // per image: best first; only similarity > 0
    std::uint64_t verified_pairs = 0;        // candidates whose intersection was computed
};

// For every image, the k others with the highest Jaccard similarity, ties going to the lower
// index: exactly the first k of all others ordered by (similarity desc, index asc), among
// those sharing at least one id. Ids are visited rarest first; a candidate is verified by
// merging the two sorted sets; a posting list (sorted by set size) is left as soon as no
// image further down it can enter the top k. So an id shared by tens of thousands of images
// costs little once a few better neighbours are known, and the result stays exact.
// Memory: the inverted index (one entry per set member) and k entries per image.
top_k_result top_k_jaccard(const id_sets& sets, std::size_t k);

}  // namespace strata::analytics

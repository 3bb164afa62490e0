// image_neighbours: each image's top-k most similar images and the clusters of that sparse
// graph: the similarity analysis for image sets too large for a matrix.
#pragma once

#include "analytics/analyses/graph_clustering.hpp"
#include "analytics/analyses/image_similarity.hpp"
#include "analytics/analyses/top_k_similarity.hpp"

#include <string>
#include <vector>

namespace strata::analytics {

struct neighbours_result {
    std::vector<std::string> names;  // as similarity_names
    similarity_basis basis = similarity_basis::digest;
    float cut = 0.5f;
    top_k_result top;
    graph_clusters clusters;
};

// Top-k by Jaccard over layer digests or build steps, then average linkage on that graph cut
// at distance cut.
neighbours_result image_neighbours(const std::vector<image>& images, similarity_basis basis, std::size_t k, float cut);

}  // namespace strata::analytics

// image_similarity: both similarity matrices of a set of images and their clustering.
#pragma once

#include "analytics/analyses/clustering.hpp"
#include "analytics/inputs/image.hpp"
#include "analytics/analyses/similarity.hpp"

#include <string>
#include <vector>

namespace strata::analytics {

enum class similarity_basis { digest, content };

struct similarity_result {
    std::vector<std::string> names;       // image names, in input order
    condensed_matrix by_digest, by_content;
    similarity_basis clustered_on = similarity_basis::digest;
    dendrogram tree;                      // average linkage on 1 - similarity
    std::vector<std::size_t> clusters;    // per image, 1-based, from cutting the tree
    float cut = 0.5f;                     // distance at which the tree was cut
    double mean_by_digest = 0, mean_by_content = 0;  // over distinct pairs
};

// Each image's name for similarity tables: "registry/repository:tag platform", with a short
// digest added where a moved tag names several images.
std::vector<std::string> similarity_names(const std::vector<image>& images);

// Both Jaccard matrices, then clusters on the chosen one: images at average distance <= cut
// (similarity >= 1 - cut) share a cluster.
similarity_result image_similarity(const std::vector<image>& images, similarity_basis basis = similarity_basis::digest,
                                   float cut = 0.5f);

}  // namespace strata::analytics

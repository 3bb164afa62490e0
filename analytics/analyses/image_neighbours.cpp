// image_neighbours: id sets of the chosen basis, top-k search, graph clustering.
#include "analytics/analyses/image_neighbours.hpp"

namespace strata::analytics {

neighbours_result image_neighbours(const std::vector<image>& images, similarity_basis basis, std::size_t k, float cut) {
    neighbours_result r;
    r.names = similarity_names(images);
    r.basis = basis;
    r.cut = cut;
    r.top = top_k_jaccard(basis == similarity_basis::digest ? layer_digest_sets(images) : layer_content_sets(images), k);
    r.clusters = cluster_graph(r.top, cut);
    return r;
}

}  // namespace strata::analytics

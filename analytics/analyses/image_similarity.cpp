// image_similarity: matrices, their means, and the clustering of one of them.
#include "analytics/analyses/image_similarity.hpp"

#include <map>

namespace strata::analytics {
namespace {

double mean_of(const condensed_matrix& m) {
    if (m.values().empty()) return 0;
    double sum = 0;
    for (const float v : m.values()) sum += v;
    return sum / static_cast<double>(m.values().size());
}

}  // namespace

std::vector<std::string> similarity_names(const std::vector<image>& images) {
    std::vector<std::string> names;
    std::map<std::string, std::size_t> uses;
    for (const auto& img : images) ++uses[img.name()];
    for (const auto& img : images) {
        auto name = img.name();
        // A tag that moved between builds names several images: tell them apart by digest.
        if (uses[name] > 1 && img.digest.size() > 19) name += "@" + img.digest.substr(7, 12);
        names.push_back(img.platform.empty() ? name : name + " " + img.platform);
    }
    return names;
}

similarity_result image_similarity(const std::vector<image>& images, similarity_basis basis, float cut) {
    similarity_result r;
    r.names = similarity_names(images);
    r.by_digest = jaccard_similarity(layer_digest_sets(images));
    r.by_content = jaccard_similarity(layer_content_sets(images));
    r.mean_by_digest = mean_of(r.by_digest);
    r.mean_by_content = mean_of(r.by_content);
    r.clustered_on = basis;
    r.cut = cut;
    r.tree = average_linkage(to_distances(basis == similarity_basis::digest ? r.by_digest : r.by_content));
    r.clusters = cut_clusters(r.tree, images.size(), cut);
    return r;
}

}  // namespace strata::analytics

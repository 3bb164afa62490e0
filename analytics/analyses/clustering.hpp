// clustering: hierarchical clustering with average linkage (UPGMA) over a condensed distance
// matrix, giving a dendrogram, a row order for heatmaps and flat cluster labels.
#pragma once

#include "analytics/analyses/similarity.hpp"

#include <cstddef>
#include <vector>

namespace strata::analytics {

// One merge, as in SciPy's linkage matrix: clusters a and b (ids < n are the original items,
// n + k is the cluster made by merge k) joined at distance, giving a cluster of size items.
struct merge_step {
    std::size_t a = 0, b = 0;
    float distance = 0;
    std::size_t size = 0;
};

struct dendrogram {
    std::vector<merge_step> merges;   // n - 1 merges in order of distance
    std::vector<std::size_t> order;   // leaves left to right: the heatmap row order
};

// Average linkage by the nearest-neighbour chain algorithm: O(n²) time, no memory beyond the
// matrix, which it takes by value and uses as scratch (move it in when no longer needed).
// Ties are broken towards lower ids, so the result is deterministic.
dendrogram average_linkage(condensed_matrix distances);

// Flat clusters: items joined by merges at distance <= cut share a label. Labels are 1, 2, …
// in the order their first item appears in the dendrogram's leaf order.
std::vector<std::size_t> cut_clusters(const dendrogram& tree, std::size_t n, float cut);

// 1 - similarity, in place.
condensed_matrix to_distances(condensed_matrix similarity);

}  // namespace strata::analytics

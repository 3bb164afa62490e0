// graph_clustering: average linkage restricted to a sparse similarity graph (the top-k
// neighbour lists), for image sets too large for a dense distance matrix.
#pragma once

#include "analytics/analyses/top_k_similarity.hpp"

#include <cstddef>
#include <vector>

namespace strata::analytics {

struct graph_clusters {
    std::vector<std::size_t> label;  // per image, 1-based, numbered in order of first image
    std::size_t clusters = 0;
    std::size_t merges = 0;
};

// Agglomerative clustering with average linkage where pairs without an edge count as
// similarity 0 (distance 1): two clusters' distance is 1 - (sum of their edges' similarities)
// / (|A|·|B|). Clusters merge, closest first (ties to lower ids), while that distance is at
// most cut (at cut 1, everything is one cluster, as in dense linkage). With every pair of
// similarity > 0 in the graph (k ≥ n − 1) this is exactly average linkage on the dense matrix
// cut at the same distance; with smaller k, pairs of clusters joined by few edges look farther
// apart than they are. Memory linear in the edges E; time
// O(E log E) plus the re-queueing of pairs whose average fell.
graph_clusters cluster_graph(const top_k_result& neighbours, float cut);

}  // namespace strata::analytics

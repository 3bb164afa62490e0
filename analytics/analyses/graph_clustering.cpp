// graph_clustering: per-cluster maps of summed edge similarity, a heap of candidate merges
// with lazy invalidation, union of the smaller map into the larger.
#include "analytics/analyses/graph_clustering.hpp"

#include <queue>
#include <unordered_map>

namespace strata::analytics {
namespace {

struct candidate {
    double similarity;  // average over the |A|·|B| pairs, when pushed
    std::size_t a, b;   // a < b, cluster ids
};

struct worse {
    bool operator()(const candidate& x, const candidate& y) const {
        if (x.similarity != y.similarity) return x.similarity < y.similarity;
        return x.a != y.a ? x.a > y.a : x.b > y.b;
    }
};

struct cluster {
    std::size_t size = 1;
    bool alive = true;
    std::unordered_map<std::size_t, double> edges;  // neighbour cluster -> summed similarity
};

// Every pair of clusters with an edge has a heap entry at least as high as its current
// average: a merge pushes the pairs whose average may have risen (the merged cluster's
// edges that came from the absorbed one), and a popped entry found too high is pushed back
// with its current value. So the top entry, once current, is the closest pair.
class agglomeration {
public:
    explicit agglomeration(const top_k_result& g) : clusters_(g.of.size()), parent_(g.of.size()) {
        for (std::size_t i = 0; i < parent_.size(); ++i) parent_[i] = i;
        for (std::size_t i = 0; i < g.of.size(); ++i)
            for (const auto& n : g.of[i]) {  // an edge listed from both ends counts once
                clusters_[i].edges[n.image] = n.similarity();
                clusters_[n.image].edges[i] = n.similarity();
            }
        for (std::size_t i = 0; i < clusters_.size(); ++i)
            for (const auto& [j, s] : clusters_[i].edges)
                if (i < j) push(i, j);
    }

    std::size_t run(double min_similarity) {
        std::size_t merges = 0;
        while (!heap_.empty()) {
            const auto c = heap_.top();
            heap_.pop();
            if (!clusters_[c.a].alive || !clusters_[c.b].alive) continue;
            const double now = average(c.a, c.b);
            if (now < c.similarity) push(c.a, c.b);  // fell since pushed: requeue at its value
            if (now != c.similarity) continue;       // (a higher value has its own entry)
            if (now < min_similarity) break;
            merge(c.a, c.b);
            ++merges;
        }
        return merges;
    }

    std::size_t root(std::size_t i) {
        while (parent_[i] != i) i = parent_[i] = parent_[parent_[i]];
        return i;
    }

private:
    double average(std::size_t a, std::size_t b) const {
        const auto& edges = clusters_[a].edges;
        const auto it = edges.find(b);
        if (it == edges.end()) return 0;
        return it->second / (static_cast<double>(clusters_[a].size) * static_cast<double>(clusters_[b].size));
    }

    void push(std::size_t a, std::size_t b) {
        if (a > b) std::swap(a, b);
        heap_.push({average(a, b), a, b});
    }

    // The cluster with more edges absorbs the other, so each edge moves O(log n) times.
    void merge(std::size_t a, std::size_t b) {
        if (clusters_[a].edges.size() < clusters_[b].edges.size()) std::swap(a, b);
        auto& keep = clusters_[a];
        auto& gone = clusters_[b];
        keep.edges.erase(b);
        gone.edges.erase(a);
        keep.size += gone.size;
        for (const auto& [x, s] : gone.edges) {
            keep.edges[x] += s;
            auto& other = clusters_[x].edges;
            other.erase(b);
            other[a] += s;
        }
        for (const auto& [x, s] : gone.edges) push(a, x);
        gone.alive = false;
        gone.edges = {};
        parent_[b] = a;
    }

    std::vector<cluster> clusters_;
    std::vector<std::size_t> parent_;
    std::priority_queue<candidate, std::vector<candidate>, worse> heap_;
};

}  // namespace

graph_clusters cluster_graph(const top_k_result& neighbours, float cut) {
    graph_clusters out;
    if (cut >= 1.0f) {  // every pair is within distance 1: one cluster, as dense linkage gives
        out.label.assign(neighbours.of.size(), 1);
        out.clusters = neighbours.of.empty() ? 0 : 1;
        out.merges = neighbours.of.empty() ? 0 : neighbours.of.size() - 1;
        return out;
    }
    agglomeration a(neighbours);
    out.merges = a.run(1.0 - static_cast<double>(cut));
    std::unordered_map<std::size_t, std::size_t> labels;
    out.label.resize(neighbours.of.size());
    for (std::size_t i = 0; i < out.label.size(); ++i) {
        const auto [it, added] = labels.try_emplace(a.root(i), labels.size() + 1);
        out.label[i] = it->second;
    }
    out.clusters = labels.size();
    return out;
}

}  // namespace strata::analytics

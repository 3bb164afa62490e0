// clustering: the nearest-neighbour chain with Lance–Williams updates, then SciPy-style labels.
#include "analytics/analyses/clustering.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

namespace strata::analytics {
namespace {

constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

struct union_find {
    std::vector<std::size_t> parent;
    explicit union_find(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
    std::size_t find(std::size_t x) {
        while (parent[x] != x) x = parent[x] = parent[parent[x]];
        return x;
    }
};

// The nearest active neighbour of a; prefers prev on a tie so the chain always ends in a
// reciprocal pair, then the lowest id.
std::size_t nearest(const condensed_matrix& d, const std::vector<char>& active, std::size_t a, std::size_t prev) {
    std::size_t best = prev;
    float best_d = prev == none ? std::numeric_limits<float>::infinity() : d.at(a, prev);
    for (std::size_t c = 0; c < d.size(); ++c) {
        if (c == a || !active[c]) continue;
        const float dc = d.at(a, c);
        if (dc < best_d) best = c, best_d = dc;
    }
    return best;
}

struct raw_merge {
    std::size_t a, b;  // item ids naming the two clusters (any member)
    float distance;
};

std::vector<raw_merge> nn_chain(condensed_matrix& d) {
    const auto n = d.size();
    std::vector<char> active(n, 1);
    std::vector<std::size_t> size(n, 1), chain;
    std::vector<raw_merge> merges;
    while (merges.size() + 1 < n) {
        if (chain.empty()) chain.push_back(static_cast<std::size_t>(std::find(active.begin(), active.end(), 1) - active.begin()));
        std::size_t a = chain.back(), b = none;
        for (;;) {
            const auto prev = chain.size() >= 2 ? chain[chain.size() - 2] : none;
            b = nearest(d, active, a, prev);
            if (b == prev) break;
            chain.push_back(b);
            a = b;
        }
        chain.resize(chain.size() - 2);
        if (a > b) std::swap(a, b);
        merges.push_back({a, b, d.at(a, b)});
        // The merged cluster lives on in slot b; Lance–Williams for average linkage.
        const auto sa = static_cast<float>(size[a]), sb = static_cast<float>(size[b]);
        active[a] = 0;
        for (std::size_t k = 0; k < n; ++k)
            if (active[k] && k != b) d.at(k, b) = (sa * d.at(k, a) + sb * d.at(k, b)) / (sa + sb);
        size[b] += size[a];
    }
    return merges;
}

void leaf_order(const std::vector<merge_step>& merges, std::size_t n, std::vector<std::size_t>& out) {
    if (n == 0) return;
    std::vector<std::size_t> stack{n == 1 ? 0 : n + merges.size() - 1};
    while (!stack.empty()) {
        const auto id = stack.back();
        stack.pop_back();
        if (id < n) {
            out.push_back(id);
            continue;
        }
        stack.push_back(merges[id - n].b);  // popped second: right
        stack.push_back(merges[id - n].a);
    }
}

}  // namespace

condensed_matrix to_distances(condensed_matrix similarity) {
    for (auto& v : similarity.values()) v = 1.0f - v;
    return similarity;
}

dendrogram average_linkage(condensed_matrix distances) {
    const auto n = distances.size();
    auto raw = nn_chain(distances);
    std::stable_sort(raw.begin(), raw.end(), [](const raw_merge& x, const raw_merge& y) { return x.distance < y.distance; });
    dendrogram tree;
    union_find sets(n);
    std::vector<std::size_t> cluster_of(n), size(n, 1);
    std::iota(cluster_of.begin(), cluster_of.end(), 0);
    for (const auto& m : raw) {
        const auto ra = sets.find(m.a), rb = sets.find(m.b);
        auto ca = cluster_of[ra], cb = cluster_of[rb];
        if (ca > cb) std::swap(ca, cb);
        const auto total = size[ra] + size[rb];
        tree.merges.push_back({ca, cb, m.distance, total});
        sets.parent[ra] = rb;
        cluster_of[rb] = n + tree.merges.size() - 1;
        size[rb] = total;
    }
    leaf_order(tree.merges, n, tree.order);
    return tree;
}

std::vector<std::size_t> cut_clusters(const dendrogram& tree, std::size_t n, float cut) {
    union_find sets(n);
    std::vector<std::size_t> member(n + tree.merges.size());  // any item of each cluster id
    std::iota(member.begin(), member.begin() + static_cast<std::ptrdiff_t>(n), 0);
    for (std::size_t k = 0; k < tree.merges.size(); ++k) {
        const auto& m = tree.merges[k];
        member[n + k] = member[m.a];
        if (m.distance <= cut) sets.parent[sets.find(member[m.a])] = sets.find(member[m.b]);
    }
    std::vector<std::size_t> label_of_root(n, 0), labels(n, 0);
    std::size_t next = 0;
    for (const auto item : tree.order) {
        auto& label = label_of_root[sets.find(item)];
        if (!label) label = ++next;
        labels[item] = label;
    }
    return labels;
}

}  // namespace strata::analytics

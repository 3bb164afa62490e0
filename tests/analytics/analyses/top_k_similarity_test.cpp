// Top-k Jaccard neighbours against the dense matrix, a layer in every image, graph clustering.
#include "analytics/analyses/analysis_runner.hpp"
#include "analytics/analyses/clustering.hpp"
#include "analytics/analyses/graph_clustering.hpp"
#include "analytics/analyses/top_k_similarity.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

using namespace strata::analytics;

namespace {

id_sets make_sets(std::vector<std::vector<std::uint32_t>> sets) {
    id_sets out;
    for (auto& s : sets) {
        std::sort(s.begin(), s.end());
        s.erase(std::unique(s.begin(), s.end()), s.end());
        for (const auto id : s) out.universe = std::max<std::size_t>(out.universe, id + 1);
    }
    out.sets = std::move(sets);
    return out;
}

// Images drawn like a registry's: a few popular base layers (one of them in most images),
// then layers of their own or of a sibling.
id_sets random_images(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<std::vector<std::uint32_t>> sets(n);
    std::uint32_t next = 100;
    for (auto& s : sets) {
        if (rng() % 10 < 8) s.push_back(0);  // the empty layer
        s.push_back(1 + rng() % 12);         // a base
        const auto own = 1 + rng() % 6;
        for (std::uint32_t i = 0; i < own; ++i) s.push_back(rng() % 3 == 0 ? 20 + rng() % 80 : next++);
    }
    return make_sets(std::move(sets));
}

// The first k others by (similarity desc, index asc) with similarity > 0, from the dense matrix.
std::vector<std::uint32_t> dense_top(const condensed_matrix& m, std::size_t i, std::size_t k) {
    std::vector<std::uint32_t> others;
    for (std::size_t j = 0; j < m.size(); ++j)
        if (j != i && m.at(i, j) > 0) others.push_back(static_cast<std::uint32_t>(j));
    std::stable_sort(others.begin(), others.end(), [&](auto a, auto b) { return m.at(i, a) > m.at(i, b); });
    if (others.size() > k) others.resize(k);
    return others;
}

std::vector<std::uint32_t> ids(const std::vector<neighbour>& list) {
    std::vector<std::uint32_t> out;
    for (const auto& n : list) out.push_back(n.image);
    return out;
}

// Labels renumbered by first appearance, so two partitions compare equal as partitions.
std::vector<std::size_t> canonical(const std::vector<std::size_t>& labels) {
    std::map<std::size_t, std::size_t> renumber;
    std::vector<std::size_t> out;
    for (const auto l : labels) out.push_back(renumber.try_emplace(l, renumber.size() + 1).first->second);
    return out;
}

// Average linkage the slow, obvious way: every step scans every pair of clusters for the highest
// average similarity (sum of member pairs / |A|·|B|), in double.
std::vector<std::size_t> naive_average_linkage(const id_sets& sets, float cut) {
    const auto n = sets.sets.size();
    const auto dense = jaccard_similarity(sets);
    std::vector<std::vector<double>> sum(n, std::vector<double>(n, 0));
    for (std::size_t a = 0; a < n; ++a)
        for (std::size_t b = 0; b < n; ++b)
            if (a != b) {
                const auto& x = sets.sets[a];
                const auto& y = sets.sets[b];
                std::vector<std::uint32_t> both;
                std::set_intersection(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(both));
                sum[a][b] = both.empty() ? 0.0 : static_cast<double>(both.size()) / (x.size() + y.size() - both.size());
            }
    std::vector<std::size_t> size(n, 1), label(n);
    std::vector<bool> alive(n, true);
    for (std::size_t i = 0; i < n; ++i) label[i] = i;
    for (;;) {
        double best = -1;
        std::size_t ba = 0, bb = 0;
        for (std::size_t a = 0; a < n; ++a)
            for (std::size_t b = a + 1; alive[a] && b < n; ++b)
                if (alive[b] && sum[a][b] / (static_cast<double>(size[a]) * size[b]) > best)
                    best = sum[a][b] / (static_cast<double>(size[a]) * size[b]), ba = a, bb = b;
        if (best <= 0 || best < 1.0 - cut) break;
        for (std::size_t x = 0; x < n; ++x) sum[ba][x] += sum[bb][x], sum[x][ba] += sum[x][bb];
        size[ba] += size[bb];
        alive[bb] = false;
        for (auto& l : label)
            if (l == bb) l = ba;
    }
    return label;
}

}  // namespace

TEST_CASE("top-k neighbours of a small set, exactly") {
    const auto sets = make_sets({{1, 2, 3}, {1, 2, 3, 4}, {1, 2}, {5}, {}, {3, 9}});
    const auto r = top_k_jaccard(sets, 2);
    CHECK(ids(r.of[0]) == std::vector<std::uint32_t>{1, 2});  // 3/4, then 2/3
    CHECK(r.of[0][0].shared == 3);
    CHECK(r.of[0][0].united == 4);
    CHECK(ids(r.of[2]) == std::vector<std::uint32_t>{0, 1});  // 2/3 then 2/4
    CHECK(r.of[3].empty());                                    // shares nothing
    CHECK(r.of[4].empty());                                    // no layers at all
    CHECK(ids(r.of[5]) == std::vector<std::uint32_t>{0, 1});  // 1/4 and 1/5
    CHECK(top_k_jaccard(sets, 0).of[0].empty());
}

TEST_CASE("ties go to the lower index") {
    const auto sets = make_sets({{7}, {7}, {7}, {7}, {7}});
    const auto r = top_k_jaccard(sets, 2);
    CHECK(ids(r.of[4]) == std::vector<std::uint32_t>{0, 1});
    CHECK(ids(r.of[0]) == std::vector<std::uint32_t>{1, 2});
}

TEST_CASE("top-k sets equal the dense matrix's on 2,000 images") {
    for (const std::uint32_t seed : {1u, 2u}) {
        const auto sets = random_images(2000, seed);
        const auto dense = jaccard_similarity(sets);
        for (const std::size_t k : {1, 5, 20}) {
            const auto r = top_k_jaccard(sets, k);
            std::size_t differing = 0;
            for (std::size_t i = 0; i < sets.sets.size(); ++i)
                if (ids(r.of[i]) != dense_top(dense, i, k)) ++differing;
            INFO("seed " << seed << " k " << k);
            CHECK(differing == 0);
        }
    }
}

TEST_CASE("a layer in nearly every image does not make the search quadratic") {
    const std::size_t n = 30000;
    const auto sets = random_images(n, 3);
    const auto r = top_k_jaccard(sets, 20);
    // What walking every posting list in full from every image would verify: Σ |postings|²
    // (about 0.6 n² here, most of it from the empty layer).
    std::vector<std::uint64_t> posting(sets.universe);
    for (const auto& s : sets.sets)
        for (const auto id : s) ++posting[id];
    std::uint64_t full_pass = 0;
    for (const auto p : posting) full_pass += p * p;
    CHECK(r.verified_pairs * 20 < full_pass);
    for (const auto& list : r.of) CHECK(list.size() <= 20);
}

TEST_CASE("on the complete graph, graph clustering is average linkage") {
    const auto sets = random_images(300, 4);
    const auto r = top_k_jaccard(sets, 299);
    for (const float cut : {0.31f, 0.53f, 0.67f, 0.79f}) {
        INFO("cut " << cut);
        const auto got = cluster_graph(r, cut);
        const auto expected = canonical(naive_average_linkage(sets, cut));
        CHECK(canonical(got.label) == expected);
        CHECK(got.clusters == *std::max_element(expected.begin(), expected.end()));
    }
    // The dense linkage (nearest-neighbour chains in float) agrees where its rounding decides no
    // near-tie; at 0.67 and 0.79 it does, and an exact rational UPGMA sides with the two above.
    const auto dense = average_linkage(to_distances(jaccard_similarity(sets)));
    for (const float cut : {0.31f, 0.53f}) CHECK(canonical(cluster_graph(r, cut).label) == canonical(cut_clusters(dense, 300, cut)));
}

TEST_CASE("graph clustering joins what the neighbour lists tie together") {
    const auto sets = make_sets({{1, 2}, {1, 2}, {1, 2, 3}, {8, 9}, {8, 9}, {50}});
    const auto r = top_k_jaccard(sets, 3);
    const auto c = cluster_graph(r, 0.5f);
    CHECK(c.label == std::vector<std::size_t>{1, 1, 1, 2, 2, 3});
    CHECK(c.clusters == 3);
    CHECK(cluster_graph(r, 0.0f).clusters == 4);  // only the identical pairs
}

TEST_CASE("neighbours runs as a named analysis; similarity refuses what its matrices cannot hold") {
    image_catalog catalog;
    for (int i = 0; i < 3; ++i) {
        image img{.registry = "r", .repository = "app", .tag = std::to_string(i)};
        img.layers = {{"sha256:base", 10}, {"sha256:own" + std::to_string(i), 5}};
        catalog.add(img);
    }
    analysis_request request;
    request.name = "neighbours";
    request.k = 1;
    const auto out = run_analysis(request, catalog, {});
    CHECK(out.json["images"][2]["neighbours"][0][0] == 0);
    CHECK(out.json["clusters"] == 3);  // 1/3 similar: far apart at the default cut of 0.5
    CHECK(out.tables.front().rows.size() == 3);

    image_catalog many;
    for (std::size_t i = 0; i <= max_dense_similarity_images; ++i)
        many.add(image{.registry = "r", .repository = "app", .tag = "t" + std::to_string(i)});
    request.name = "similarity";
    CHECK_THROWS_WITH(run_analysis(request, many, {}),
                      "similarity compares every pair and takes at most 20000 images (here 20001): use `neighbours`, "
                      "the top-k search");
}

TEST_CASE("neighbours refuses more pairs than it may keep, and cut 1 joins everything") {
    image_catalog catalog;
    for (int i = 0; i < 3; ++i) catalog.add(image{.registry = "r", .repository = "a", .tag = std::to_string(i)});
    analysis_request request;
    request.name = "neighbours";
    request.k = max_neighbour_pairs;
    CHECK_THROWS_WITH(run_analysis(request, catalog, {}),
                      "neighbours keeps at most 10000000 pairs: with 3 images, k can be at most 3333333");
    const auto sets = make_sets({{1}, {2}, {3}});
    const auto all = cluster_graph(top_k_jaccard(sets, 2), 1.0f);
    CHECK(all.clusters == 1);
    CHECK(all.label == std::vector<std::size_t>{1, 1, 1});
}

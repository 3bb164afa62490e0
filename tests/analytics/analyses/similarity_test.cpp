// Jaccard matrices, build-step normalisation and average-linkage clustering, by hand.
#include "analytics/analyses/clustering.hpp"
#include "analytics/analyses/image_similarity.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

TEST_CASE("jaccard similarity of id sets, computed by hand") {
    // X={0,1,2} Y={1,2,3} Z={4} W={}
    const id_sets sets{{{0, 1, 2}, {1, 2, 3}, {4}, {}}, 5};
    const auto m = jaccard_similarity(sets);
    REQUIRE(m.size() == 4);
    CHECK(m.values().size() == 6);
    CHECK(m.at(0, 1) == Approx(0.5));
    CHECK(m.at(1, 0) == Approx(0.5));
    CHECK(m.at(0, 2) == 0);
    CHECK(m.at(1, 2) == 0);
    CHECK(m.at(3, 0) == 0);
    CHECK(m.at(2, 3) == 0);
    CHECK(jaccard_similarity({{{1}}, 2}).values().empty());
}

TEST_CASE("condensed indices follow SciPy's layout") {
    CHECK(condensed_matrix::index(4, 0, 1) == 0);
    CHECK(condensed_matrix::index(4, 0, 3) == 2);
    CHECK(condensed_matrix::index(4, 1, 2) == 3);
    CHECK(condensed_matrix::index(4, 3, 2) == 5);
}

TEST_CASE("build steps are compared without their shell and buildkit wrappers") {
    CHECK(normalise_created_by("RUN /bin/sh -c apt-get update &&   apt-get install -y x # buildkit") ==
          "apt-get update && apt-get install -y x");
    CHECK(normalise_created_by("/bin/sh -c #(nop) COPY file:abc in / ") == "COPY file:abc in /");
    CHECK(normalise_created_by("|2 A=1 B=2 /bin/sh -c make") == "A=1 B=2 /bin/sh -c make");
}

TEST_CASE("layer content identity matches images whose digests differ only because of their bases") {
    const auto img = [](std::string tag, std::vector<std::pair<std::string, std::string>> steps) {
        image i{.registry = "r", .repository = "app", .tag = std::move(tag)};
        for (auto& [digest, cmd] : steps) {
            i.layers.push_back({digest, 1});
            i.history.push_back({cmd, false});
        }
        return i;
    };
    // The same Dockerfile over two different base layers: no digest in common.
    const std::vector<image> images = {img("a", {{"sha256:1", "ADD base-a"}, {"sha256:2", "RUN /bin/sh -c make"}}),
                                       img("b", {{"sha256:3", "ADD base-b"}, {"sha256:4", "RUN /bin/sh -c make # buildkit"}})};
    const auto s = image_similarity(images);
    CHECK(s.by_digest.at(0, 1) == 0);
    CHECK(s.by_content.at(0, 1) == Approx(1.0 / 3));
    CHECK(s.mean_by_content == Approx(1.0 / 3));
}

TEST_CASE("average linkage on a hand-computed example") {
    // Items: 0=C 1=A 2=D 3=B with d(A,B)=.2 d(C,D)=.3 d(B,C)=.5 d(A,C)=.6 d(B,D)=.9 d(A,D)=1.
    condensed_matrix d(4);
    d.at(0, 1) = 0.6f;
    d.at(0, 2) = 0.3f;
    d.at(0, 3) = 0.5f;
    d.at(1, 2) = 1.0f;
    d.at(1, 3) = 0.2f;
    d.at(2, 3) = 0.9f;
    const auto tree = average_linkage(d);
    REQUIRE(tree.merges.size() == 3);
    CHECK(tree.merges[0].a == 1);
    CHECK(tree.merges[0].b == 3);
    CHECK(tree.merges[0].distance == Approx(0.2));
    CHECK(tree.merges[1].a == 0);
    CHECK(tree.merges[1].b == 2);
    CHECK(tree.merges[1].distance == Approx(0.3));
    CHECK(tree.merges[2].a == 4);
    CHECK(tree.merges[2].b == 5);
    // ((.6 + .5) + (1 + .9)) / 4: the mean over all cross pairs.
    CHECK(tree.merges[2].distance == Approx(0.75));
    CHECK(tree.merges[2].size == 4);
    CHECK(tree.order == std::vector<std::size_t>{1, 3, 0, 2});
    CHECK(cut_clusters(tree, 4, 0.5f) == std::vector<std::size_t>{2, 1, 2, 1});
    CHECK(cut_clusters(tree, 4, 0.8f) == std::vector<std::size_t>{1, 1, 1, 1});
    CHECK(cut_clusters(tree, 4, 0.1f) == std::vector<std::size_t>{3, 1, 4, 2});
}

TEST_CASE("clustering handles ties, disjoint items and tiny inputs") {
    condensed_matrix all_far(5);
    for (auto& v : all_far.values()) v = 1.0f;
    const auto tree = average_linkage(all_far);
    CHECK(tree.merges.size() == 4);
    CHECK(tree.order.size() == 5);
    const auto labels = cut_clusters(tree, 5, 0.5f);
    for (std::size_t k = 0; k < 5; ++k) CHECK(labels[tree.order[k]] == k + 1);  // numbered along the rows
    CHECK(average_linkage(condensed_matrix(1)).order == std::vector<std::size_t>{0});
    CHECK(average_linkage(condensed_matrix(0)).order.empty());
}

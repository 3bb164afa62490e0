// Known answers for distributions and pull-time grouping.
#include "analytics/analyses/pull_times.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

TEST_CASE("percentiles interpolate between ranks as NumPy does") {
    const auto d = describe({4, 1, 3, 2, 5}, {0, 25, 50, 90, 100});
    CHECK(d.count == 5);
    CHECK(d.sum == 15);
    CHECK(d.mean == 3);
    CHECK(d.stddev == Approx(std::sqrt(2.0)));
    CHECK(d.percentiles.at(0) == 1);
    CHECK(d.percentiles.at(25) == 2);
    CHECK(d.percentiles.at(50) == 3);
    CHECK(d.percentiles.at(90) == Approx(4.6));
    CHECK(d.percentiles.at(100) == 5);
    const auto one = describe({7});
    CHECK(one.percentiles.at(5) == 7);
    CHECK(one.stddev == 0);
    CHECK(describe({}).count == 0);
    CHECK(describe({}).percentiles.empty());
}

TEST_CASE("pull times group by labels, image or node and separate kubelet cache hits") {
    const auto obs = [](std::string cloud, std::string node, bool present, double s, std::uint64_t bytes) {
        pull_observation p;
        p.labels = {{"cloud", cloud}};
        p.node = node;
        p.image = "img";
        p.already_present = present;
        if (!present) p.seconds = s;
        if (bytes) p.image_bytes = bytes;
        return p;
    };
    const std::vector<pull_observation> pulls = {obs("aws", "n1", false, 10, 100), obs("aws", "n2", false, 20, 200),
                                                 obs("aws", "n1", true, 0, 0), obs("gcp", "g1", false, 5, 0)};
    const auto groups = pull_times(pulls, {"cloud"});
    REQUIRE(groups.size() == 2);
    CHECK(groups[0].key == label_set{{"cloud", "aws"}});
    CHECK(groups[0].pulls == 2);
    CHECK(groups[0].already_present == 1);
    CHECK(groups[0].nodes == 2);
    CHECK(groups[0].seconds.sum == 30);
    CHECK(groups[0].bytes == 300);
    CHECK(groups[0].size_correlation == Approx(1.0));
    CHECK(groups[1].pulls == 1);
    CHECK(groups[1].size_correlation == 0);
    const auto all = pull_times(pulls, {});
    REQUIRE(all.size() == 1);
    CHECK(all[0].pulls == 3);
    CHECK(pull_times(pulls, {"node"}).size() == 3);
}

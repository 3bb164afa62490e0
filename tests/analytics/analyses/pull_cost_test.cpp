// Price tables: parsing with clear errors, and the cost of pull time per group.
#include "analytics/analyses/pull_cost.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

namespace {
std::string error_of(const std::string& text) {
    try {
        parse_price_table(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("price tables parse, and bad ones say what is wrong") {
    const auto t = parse_price_table(R"({"currency":"EUR","egress_per_gb":0.05,
        "nodes":[{"match":{"cloud":"aws"},"per_hour":3.5,"name":"big"},{"per_hour":1}]})");
    CHECK(t.currency == "EUR");
    CHECK(t.egress_per_gb == 0.05);
    REQUIRE(t.nodes.size() == 2);
    CHECK(t.nodes[0].match.at("cloud") == "aws");
    CHECK(error_of("{") == "price table: not valid JSON");
    CHECK(error_of("[]") == "price table: must be a JSON object");
    CHECK(error_of(R"({})") == "price table: nodes must be an array");
    CHECK(error_of(R"({"nodes":[{}]})") == "price table: nodes[0]: per_hour is missing");
    CHECK(error_of(R"({"nodes":[{"per_hour":"5"}]})") == "price table: nodes[0]: per_hour must be a number");
    CHECK(error_of(R"({"nodes":[{"per_hour":-1}]})") == "price table: nodes[0]: per_hour must be finite and >= 0");
    CHECK(error_of(R"({"nodes":[{"per_hour":1e400}]})") != "");
    CHECK(error_of(R"({"nodes":[{"per_hour":1,"match":{"cloud":5}}]})") ==
          "price table: nodes[0]: match.cloud must be a string");
    CHECK(error_of(R"({"currency":7,"nodes":[]})") == "price table: currency must be a string");
}

TEST_CASE("cost is node hours times the first matching price, per group") {
    const auto t = parse_price_table(R"({"nodes":[
        {"match":{"cloud":"aws","node_type":"gpu"},"per_hour":36,"name":"p3"},
        {"match":{"cloud":"aws"},"per_hour":3.6,"name":"c5"},
        {"match":{"node":"special"},"per_hour":7.2,"name":"special"}]})");
    const auto pull = [](std::string cloud, std::string type, std::string node, double s, bool present = false) {
        pull_observation p;
        p.labels = {{"cloud", cloud}, {"node_type", type}};
        p.node = node;
        p.seconds = s;
        p.already_present = present;
        return p;
    };
    const std::vector<pull_observation> pulls = {pull("aws", "gpu", "n1", 100), pull("aws", "cpu", "n2", 1000),
                                                 pull("aws", "cpu", "n2", 50, true), pull("gcp", "cpu", "special", 500),
                                                 pull("gcp", "cpu", "g2", 20)};
    const auto groups = pull_costs(pulls, {"cloud"}, t);
    REQUIRE(groups.size() == 2);
    CHECK(groups[0].key.at("cloud") == "aws");
    CHECK(groups[0].pulls == 2);
    CHECK(groups[0].cost == Approx(100.0 / 3600 * 36 + 1000.0 / 3600 * 3.6));
    CHECK(groups[0].price_names == "c5,p3");
    CHECK(groups[1].pulls == 2);
    CHECK(groups[1].unpriced_pulls == 1);
    CHECK(groups[1].pull_seconds == 520);
    CHECK(groups[1].node_hours == Approx(500.0 / 3600));
    CHECK(groups[1].cost == Approx(1.0));
}

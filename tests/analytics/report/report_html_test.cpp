// The HTML report is self-contained, escapes what it shows and has every chart it promises.
#include "analytics/report/report_html.hpp"

#include "analytics/analyses/distribution.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

namespace {
std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}
}  // namespace

TEST_CASE("the report carries inline SVG charts, escapes hostile names and fetches nothing") {
    image_catalog c;
    for (int i = 0; i < 4; ++i) {
        image img{.registry = "r.io", .repository = "<script>alert(1)</script>", .tag = "v1." + std::to_string(i)};
        img.created_s = 1700000000 + i * 86400 * 200;
        img.layers = {{"sha256:base", 1000000}, {"sha256:own" + std::to_string(i), 1000u * (i + 1)}};
        img.history = {{"ADD x /", false}, {"RUN apt-get install -y y", false}};
        c.add(img);
    }
    std::vector<pull_observation> pulls(3);
    for (std::size_t i = 0; i < pulls.size(); ++i) {
        pulls[i].labels = {{"cloud", i ? "aws" : "gcp"}};
        pulls[i].seconds = 10.0 * static_cast<double>(i + 1);
        pulls[i].node = "n";
    }
    const auto prices = parse_price_table(R"({"nodes":[{"match":{"cloud":"aws"},"per_hour":3.6,"name":"m"}]})");
    report_inputs in;
    in.images = &c;
    in.pulls = &pulls;
    in.prices = &prices;
    in.pull_group_by = {"cloud"};
    const auto html = render_report(in);
    CHECK(html.starts_with("<!DOCTYPE html>"));
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("&lt;script&gt;") != std::string::npos);
    // Nothing fetched: the only URLs are the SVG namespace.
    CHECK(count(html, "http://") == count(html, "http://www.w3.org/2000/svg"));
    CHECK(count(html, "https://") == 0);
    CHECK(count(html, " src=") == 0);
    CHECK(count(html, "href=") == 0);
    CHECK(count(html, "<svg") >= 7);  // two histograms, year trend, tag trend, reuse bars, heatmap, box plots, cost bars
    for (const auto* id : {"id=\"sizes\"", "id=\"trends\"", "id=\"reuse\"", "id=\"similarity\"", "id=\"hygiene\"",
                           "id=\"pulls\"", "id=\"cost\""})
        CHECK(html.find(id) != std::string::npos);
}

TEST_CASE("log histograms put each value in its decade bin") {
    const auto bins = log_histogram({1, 5, 10, 99, 100, 0}, 1);
    REQUIRE(bins.size() == 4);
    CHECK(bins[0].count == 1);  // the zero
    CHECK(bins[1].low == Approx(1));
    CHECK(bins[1].count == 2);
    CHECK(bins[2].count == 2);
    CHECK(bins[3].low == Approx(100));
    CHECK(bins[3].count == 1);
    CHECK(log_histogram({}).empty());
}

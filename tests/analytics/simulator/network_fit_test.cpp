// Tests of the network model fitted to recorded pulls: which events count as what, medians, and
// what stays as given.
#include "analytics/simulator/network_fit.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;
using strata::storage::pull_event;

namespace {

pull_event blob(std::string registry, std::uint64_t bytes, double seconds, double ttfb, std::string labels,
                std::string cache = "") {
    pull_event e;
    e.kind = "blob";
    e.method = "GET";
    e.http_status = 200;
    e.upstream = std::move(registry);
    e.bytes_sent = bytes;
    e.duration_ns = static_cast<std::int64_t>(seconds * 1e9);
    e.ttfb_ns = static_cast<std::int64_t>(ttfb * 1e9);
    e.labels = std::move(labels);
    e.cache_status = std::move(cache);
    return e;
}

}  // namespace

TEST_CASE("bench requests give upstream and proxy rates and latencies, by their source") {
    network_model start;
    start.proxy_bps = 123;
    network_fitter f(start);
    const std::string run = "run=r1,strategy=direct";
    f.add(blob("ghcr.io", 100'000'000, 1.1, 0.1, run + ",source=upstream"));  // 100 MB/s, 0.1 s
    f.add(blob("ghcr.io", 100'000'000, 0.6, 0.1, run + ",source=upstream"));  // 200 MB/s
    f.add(blob("quay.io", 50'000'000, 1.05, 0.05, run + ",source=upstream"));  // 50 MB/s
    f.add(blob("ghcr.io", 100'000, 0.2, 0.2, run + ",source=upstream"));       // latency only
    f.add(blob("ghcr.io", 0, 0.0, 0.0, run + ",source=node-cache"));           // no network
    f.add(blob("ghcr.io", 100'000'000, 1.0, 0.1, "run=x,source=upstreams"));   // not the label
    auto head = blob("ghcr.io", 100'000'000, 1.0, 0.1, run + ",source=upstream");
    head.method = "HEAD";
    f.add(head);
    const auto fit = f.fit();
    CHECK(fit.upstream_transfers == 3);
    CHECK(fit.upstream_answers == 4);
    CHECK(fit.model.upstream_bps == Approx(100e6));
    CHECK(fit.model.registry_bps.at("ghcr.io") == Approx(200e6));  // the upper median of two
    CHECK(fit.model.registry_bps.at("quay.io") == Approx(50e6));
    CHECK(fit.model.upstream_latency_s == Approx(0.1));
    CHECK(fit.model.registry_latency_s.at("ghcr.io") == Approx(0.1));  // 0.1, 0.1 and 0.2
    CHECK(fit.model.registry_latency_s.at("quay.io") == Approx(0.05));
    CHECK(fit.registry_answers == std::map<std::string, std::size_t>{{"ghcr.io", 3}, {"quay.io", 1}});
    // The spreads: every sample while there are at most spread_points of them, in order.
    const auto& ghcr = fit.model.registry_bps_spread.at("ghcr.io");
    REQUIRE(ghcr.size() == 2);
    CHECK(ghcr[0] == Approx(100e6));
    CHECK(ghcr[1] == Approx(200e6));
    CHECK(fit.model.registry_latency_spread.at("ghcr.io").size() == 3);
    REQUIRE(fit.model.registry_latency_spread.at("quay.io").size() == 1);
    CHECK(fit.model.registry_latency_spread.at("quay.io")[0] == Approx(0.05));
    CHECK(fit.proxy_transfers == 0);
    CHECK(fit.model.proxy_bps == 123);  // nothing measured: as given
}

TEST_CASE("strata's own log: misses measure the upstream by its upstream fields, hits the proxy") {
    network_fitter f({});
    auto miss = blob("docker.io", 10'000'000, 2.0, 0.3, "", "miss");
    miss.upstream_bytes = 40'000'000;
    miss.upstream_ns = 1'000'000'000;
    f.add(miss);
    f.add(blob("docker.io", 10'000'000, 0.011, 0.001, "", "hit"));
    f.add(blob("docker.io", 10'000'000, 0.5, 0.1, "", "coalesced"));  // neither
    const auto fit = f.fit();
    CHECK(fit.model.upstream_bps == Approx(40e6));
    CHECK(fit.model.upstream_latency_s == Approx(0.3));
    CHECK(fit.model.proxy_bps == Approx(1e9));
    CHECK(fit.model.proxy_latency_s == Approx(0.001));
    CHECK(fit.proxy_transfers == 1);
}

TEST_CASE("a registry's spread is its samples at evenly spaced quantiles") {
    network_fitter f({});
    for (int i = 1; i <= 100; ++i)  // rates 1..100 MB/s, a second each after 0.01 s
        f.add(blob("ghcr.io", static_cast<std::uint64_t>(i) * 1'000'000, 1.01, 0.01, "run=r,source=upstream"));
    const auto spread = f.fit().model.registry_bps_spread.at("ghcr.io");
    REQUIRE(spread.size() == spread_points);
    CHECK(spread.front() == Approx(3e6));   // the middle of the first 5 %
    CHECK(spread.back() == Approx(98e6));   // and of the last
    CHECK(std::is_sorted(spread.begin(), spread.end()));
}

TEST_CASE("times and rates no network gives are not samples (imported events can say anything)") {
    network_fitter f({});
    f.add(blob("ghcr.io", 10'000'000, 1.1, 0.1, "run=r,source=upstream"));            // 10 MB/s, 0.1 s
    f.add(blob("ghcr.io", 300'000, 200'000.0, 0.1, "run=r,source=upstream"));         // over a day: no rate
    f.add(blob("ghcr.io", 10'000'000, 9e6, 9e6 - 1, "run=r,source=upstream"));       // a 104-day first byte
    f.add(blob("ghcr.io", 4'000'000'000'000, 0.000002, 0.000001, "run=r,source=upstream"));  // 4e18 B/s
    const auto fit = f.fit();
    CHECK(fit.registry_transfers.at("ghcr.io") == 2);  // 10 MB/s, and 1e7 B over a second of the 104 days
    CHECK(fit.registry_answers.at("ghcr.io") == 3);    // not the 104-day one
    for (const auto latency : fit.model.registry_latency_spread.at("ghcr.io")) CHECK(latency <= 3600);
    for (const auto rate : fit.model.registry_bps_spread.at("ghcr.io")) CHECK(rate <= 1e12);
}

// Tests of stats windows, ratios and top lists; and of event export time arguments.
#include "proxy/admin/events_export.hpp"
#include "proxy/observe/pull_stats.hpp"

#include "tests/catch_result.hpp"

#include <thread>

using namespace strata;

namespace {

storage::pull_event event(std::int64_t second, std::string status, std::uint64_t bytes, std::string digest = "d1",
                         std::string node = "gpu-1") {
    storage::pull_event e;
    e.ts_ns = second * 1000000000;
    e.node = std::move(node);
    e.upstream = "ghcr.io";
    e.repository = "org/app";
    e.kind = "blob";
    e.digest = std::move(digest);
    e.cache_status = std::move(status);
    e.bytes_sent = bytes;
    return e;
}

}  // namespace

TEST_CASE("pull_stats computes ratios per window and top lists") {
    proxy::pull_stats stats;
    const std::int64_t now = 1724288523;
    stats.add(event(now - 7200, "miss", 1000));          // only all-time
    stats.add(event(now - 600, "hit", 1000));            // last hour
    stats.add(event(now - 10, "hit", 3000, "d2"));       // last 5 minutes
    stats.add(event(now - 5, "coalesced", 1000, "d2", "gpu-2"));
    stats.add(event(now - 1, "error", 0));
    const auto r = stats.report(now);
    CHECK(r["last_5m"]["requests"] == 3);
    CHECK(r["last_5m"]["hits"] == 1);
    CHECK(r["last_5m"]["errors"] == 1);
    CHECK(r["last_5m"]["hit_ratio"].get<double>() == Approx(0.5));
    CHECK(r["last_5m"]["byte_hit_ratio"].get<double>() == Approx(0.75));
    CHECK(r["last_5m"]["upstream_egress_saved_bytes"] == 4000);
    CHECK(r["last_1h"]["hits"] == 2);
    CHECK(r["all_time"]["misses"] == 1);
    CHECK(r["all_time"]["hit_ratio"].get<double>() == Approx(2.0 / 4.0));
    CHECK(r["top_blobs_by_bytes"][0]["name"] == "d2");
    CHECK(r["top_blobs_by_bytes"][0]["bytes"] == 4000);
    CHECK(r["top_blobs_by_pulls"][0]["pulls"] == 2);
    CHECK(r["top_repositories_by_pulls"][0]["name"] == "ghcr.io/org/app");
    CHECK(r["top_repositories_by_pulls"][0]["pulls"] == 4);
    CHECK(r["nodes"] == 2);
    CHECK(r["top_nodes_by_pulls"][0] == nlohmann::json{{"name", "gpu-1"}, {"pulls", 3}, {"bytes", 5000}});
    CHECK(r["top_nodes_by_pulls"][1] == nlohmann::json{{"name", "gpu-2"}, {"pulls", 1}, {"bytes", 1000}});
    CHECK(r["top_nodes_by_bytes"][0]["name"] == "gpu-1");
}

TEST_CASE("parse_time_arg accepts RFC 3339, epoch seconds and ages") {
    const std::int64_t now = 1724288523LL * 1000000000;
    CHECK(proxy::parse_time_arg("2024-08-22T01:02:03Z", now) == now);
    CHECK(proxy::parse_time_arg("1724288523", now) == now);
    CHECK(proxy::parse_time_arg("90s", now) == now - 90LL * 1000000000);
    CHECK(proxy::parse_time_arg("2h", now) == now - 7200LL * 1000000000);
    CHECK(proxy::parse_time_arg("7d", now) == now - 7 * 86400LL * 1000000000);
    for (const char* bad : {"", "yesterday", "5y", "-5", "1e9", "99999999999999999999"}) CHECK_FALSE(proxy::parse_time_arg(bad, now));
    CHECK(proxy::parse_export_format("csv") == proxy::export_format::csv);
    CHECK_FALSE(proxy::parse_export_format("xml"));
}

TEST_CASE("pull_stats counts adds from several threads once each, merged in the report") {
    proxy::pull_stats stats;
    const std::int64_t now = 1724288523;
    auto adder = [&](const char* digest) {
        for (int i = 0; i < 1000; ++i) stats.add(event(now - 1, "hit", 10, digest));
    };
    std::thread a(adder, "d1"), b(adder, "d2");
    adder("d1");
    a.join();
    b.join();
    const auto r = stats.report(now);
    CHECK(r["last_5m"]["requests"] == 3000);
    CHECK(r["all_time"]["bytes_served"] == 30000);
    CHECK(r["top_repositories_by_pulls"][0]["name"] == "ghcr.io/org/app");
    CHECK(r["top_repositories_by_pulls"][0]["pulls"] == 3000);
    CHECK(r["top_blobs_by_pulls"][0]["name"] == "d1");
    CHECK(r["top_blobs_by_pulls"][0]["pulls"] == 2000);
    CHECK(r["top_blobs_by_pulls"][1]["pulls"] == 1000);
}

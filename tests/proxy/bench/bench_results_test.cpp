// Tests of a pull bench's results: recorded events, the trials table and the verdicts.
#include "proxy/bench/bench_results.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;

namespace {

image_pull node_pull(const std::string& node, double seconds, std::uint64_t bytes, bool ok = true) {
    image_pull p;
    p.ok = ok;
    p.error = ok ? "" : "HTTP 503";
    p.node = node;
    p.repository = "bench/1gb-4";
    p.reference = "s1";
    p.digest = "sha256:" + std::string(64, 'd');
    p.bytes = bytes;
    p.size = 1'000'000'000;
    p.layers = 4;
    p.shape = "1GB:4";
    p.start_ns = 1'000'000'000;
    p.end_ns = p.start_ns + static_cast<std::int64_t>(seconds * 1e9);
    p.requests = {{"manifest", "HEAD", p.digest, "upstream", 0, p.start_ns, p.start_ns + 10, p.start_ns + 10, 200},
                  {"blob", "GET", "sha256:" + std::string(64, 'b'), "upstream", bytes, p.start_ns + 20, p.start_ns + 30,
                   p.end_ns, 200}};
    return p;
}

trial_result trial(pull_strategy s, unsigned nodes, double seconds, std::uint64_t upstream) {
    trial_result t;
    t.key = {"local", "bench/1gb-4:s1", s, nodes, 3};
    t.shape = "1GB:4";
    t.image_bytes = 1'000'000'000;
    t.layers = 4;
    for (unsigned i = 0; i < nodes; ++i) t.pulls.push_back(node_pull("node-" + std::to_string(i + 1), seconds, 1'000'000'000));
    t.upstream_bytes = upstream;
    t.wall_s = seconds;
    return t;
}

}  // namespace

TEST_CASE("each node's requests and whole pull become labelled events") {
    const auto t = trial(pull_strategy::proxy_cold, 2, 4.0, 1'000'000'000);
    const auto events = trial_events(t, "r,1=x");
    REQUIRE(events.size() == 7);  // two requests and one image event per node, one trial event
    const auto& image = events[2];
    const auto& trial_event = events.back();
    CHECK(trial_event.kind == "trial");
    CHECK(trial_event.upstream_bytes == 1'000'000'000);
    CHECK(trial_event.bytes_sent == 2'000'000'000);
    CHECK(trial_event.duration_ns == 4'000'000'000);
    CHECK(trial_event.labels == image.labels);
    CHECK(image.kind == "image");
    CHECK(image.method == "GET");
    CHECK(image.http_status == 200);
    CHECK(image.duration_ns == 4'000'000'000);
    CHECK(image.object_size == 1'000'000'000);
    CHECK(image.node == "node-1");
    CHECK(image.upstream == "local");
    CHECK(image.labels == "run=r_1_x,strategy=proxy-cold,nodes=2,concurrency=3,registry=local,shape=1GB:4,layers=4");
    CHECK(events[0].labels == image.labels + ",source=upstream");
    CHECK(events[0].method == "HEAD");
    CHECK(events[1].ttfb_ns == 10);
    CHECK(events[1].bytes_sent == 1'000'000'000);
}

TEST_CASE("a failed node pull is recorded as failed and counted in the table") {
    auto t = trial(pull_strategy::direct, 2, 2.0, 2'000'000'000);
    t.pulls[1] = node_pull("node-2", 0.5, 0, false);
    const auto events = trial_events(t, "r1");
    CHECK(events[events.size() - 2].http_status == 0);
    CHECK(events[events.size() - 2].cache_status == "error");
    CHECK(events.back().http_status == 0);  // the trial had a failure
    const auto table = trials_table({t});
    REQUIRE(table.rows.size() == 1);
    const auto column = [&](const char* name) {
        for (std::size_t i = 0; i < table.columns.size(); ++i)
            if (table.columns[i].name == name) return table.rows[0][i];
        FAIL(name);
        return strata::analytics::cell{};
    };
    CHECK(std::get<double>(column("failed")) == 1);
    CHECK(std::get<std::string>(column("error")) == "node-2: HTTP 503");
    CHECK(std::get<double>(column("p50_s")) == Approx(2.0));  // over the pulls that finished
    CHECK(std::get<double>(column("received_bytes")) == 1'000'000'000);
}

TEST_CASE("verdicts compare each strategy with direct on the same image, nodes and concurrency") {
    const auto v = verdicts({trial(pull_strategy::direct, 16, 71.0, 16'000'000'000),
                             trial(pull_strategy::proxy_prewarmed, 16, 10.0, 0),
                             trial(pull_strategy::proxy_cold, 8, 1.0, 0),  // no direct at 8 nodes: no verdict
                             trial(pull_strategy::proxy_cold, 16, 142.0, 1'000'000'000)});
    REQUIRE(v.size() == 2);
    CHECK(v[0] == "1.0 GB in 4 layers on 16 nodes: proxy-prewarmed 7.1x faster than direct (p50 10 s against 71 s), "
                  "16.0 GB less egress");
    CHECK(v[1].find("proxy-cold 2.0x slower than direct") != std::string::npos);
    CHECK(v[1].find("15.0 GB less egress") != std::string::npos);
}

TEST_CASE("trials come back from their recorded events, runs and trials kept apart") {
    auto a = trial(pull_strategy::proxy_cold, 2, 4.0, 1'000'000'000);
    auto b = trial(pull_strategy::direct, 2, 8.0, 2'000'000'000);
    b.upstream_bytes.reset();  // an https registry: not measured
    auto events = trial_events(a, "r1");
    const auto more = trial_events(b, "r1"), again = trial_events(a, "r2");
    events.insert(events.end(), more.begin(), more.end());
    events.insert(events.end(), again.begin(), again.end());
    events.push_back(strata::storage::pull_event{});  // not a bench's
    const auto back = trials_from_events(events);
    REQUIRE(back.size() == 3);
    CHECK(back[0].key.strategy == pull_strategy::proxy_cold);
    CHECK(back[0].key.image == "bench/1gb-4:s1");
    CHECK(back[0].key.registry == "local");
    CHECK(back[0].key.nodes == 2);
    CHECK(back[0].pulls.size() == 2);
    CHECK(back[0].pulls[1].seconds() == Approx(4.0));
    CHECK(back[0].upstream_bytes == 1'000'000'000);
    CHECK(back[0].layers == 4);
    CHECK(back[0].shape == "1GB:4");
    CHECK(back[0].wall_s == Approx(4.0));
    CHECK_FALSE(back[1].upstream_bytes);
    CHECK(back[2].pulls.size() == 2);  // the second run's, not the first's again
    CHECK(back[1].pulls.size() == 2);
    CHECK(verdicts(back).size() == 2);  // each proxy-cold trial against the direct one
}

// Topology accounting identities, coalescing, pre-warming, and the trace readers' answers on
// known and hostile input.
#include "analytics/simulator/simulator.hpp"

#include "tests/analytics/simulator/reference_cache.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

namespace {

void check_identities(const sim_result& r) {
    CHECK(r.node_hits + r.proxy_hits + r.upstream_misses == r.requests);
    // Egress is the bytes of upstream misses (and of pre-warming, which no request asked for).
    CHECK(r.egress_bytes - r.prewarm_bytes == r.requested_bytes - r.node_hit_bytes - r.proxy_hit_bytes);
    CHECK(r.coalesced <= r.proxy_hits);
}

}  // namespace

TEST_CASE("every topology and policy keeps the accounting identities; coalescing never adds egress") {
    const auto t = synthetic_trace({.images = 60, .nodes = 12, .jobs = 150, .burst_s = 5, .seed = 3});
    const auto next = next_uses(t);
    std::uint64_t unique = 0;
    for (const auto s : t.object_sizes) unique += s;
    for (const auto topo : {topology::none, topology::node, topology::proxy, topology::node_proxy, topology::proxy_replicas}) {
        for (const auto& name : sim_policy_names()) {
            for (const auto fraction : {0.05, 0.3}) {
                INFO(topology_name(topo) << " " << name << " " << fraction);
                sim_config c;
                c.topo = topo;
                c.policy = *parse_sim_policy(name);
                c.capacity = static_cast<std::uint64_t>(fraction * static_cast<double>(unique));
                c.node_capacity = c.capacity / 4;
                c.replicas = 3;
                const auto on = simulate(t, c, nullptr, next);
                c.coalescing = false;
                const auto off = simulate(t, c, nullptr, next);
                check_identities(on);
                check_identities(off);
                CHECK(on.requests == t.requests.size());
                CHECK(on.egress_bytes <= off.egress_bytes);
                CHECK(off.coalesced == 0);
                if (topo == topology::none) CHECK(on.egress_bytes == on.requested_bytes);
            }
        }
    }
}

TEST_CASE("a burst of nodes pulling one image costs one upstream transfer with coalescing") {
    trace_builder b;
    const auto layer = b.object("sha256:" + std::string(64, 'a'), 1'000'000'000);
    const auto registry = b.registry("r");
    for (std::uint32_t n = 0; n < 8; ++n) b.add({0.5 * n, 0, b.node("n" + std::to_string(n)), layer, no_image, registry, false});
    const auto t = b.finish();
    sim_config c;
    c.topo = topology::proxy;
    c.policy = *parse_sim_policy("lru");
    c.capacity = 10'000'000'000;
    const auto on = simulate(t, c, nullptr, next_uses(t));
    CHECK(on.egress_bytes == 1'000'000'000);
    CHECK(on.coalesced == 7);
    c.coalescing = false;
    const auto off = simulate(t, c, nullptr, next_uses(t));
    // The upstream download takes 0.3 s + 1 GB / 50 MB/s = 20.3 s: every later request
    // arrives while it runs and, without coalescing, downloads again.
    CHECK(off.egress_bytes == 8'000'000'000);
}

TEST_CASE("pre-warming loads the last window's top images before the next") {
    trace_builder b;
    const auto o1 = b.object("sha256:" + std::string(64, '1'), 100), o2 = b.object("sha256:" + std::string(64, '2'), 100);
    const auto image = b.image("img", {o1, o2});
    const auto registry = b.registry("r");
    const auto node = b.node("n");
    for (double day : {0.0, 1.0}) {
        b.add({day * 86400 + 10, 0, node, o1, image, registry, false});
        b.add({day * 86400 + 10, 0, node, o2, image, registry, false});
    }
    const auto t = b.finish();
    sim_config c;
    c.topo = topology::proxy;
    c.policy = *parse_sim_policy("ttl");
    c.ttl_s = 3600;  // expired by the next day without pre-warming
    c.capacity = 1000;
    c.proxy_high = c.proxy_low = 1;
    const auto plain = simulate(t, c, nullptr, next_uses(t));
    CHECK(plain.proxy_hits == 0);
    c.prewarm_top_k = 1;
    c.prewarm_window_s = 86400;
    const auto warmed = simulate(t, c, nullptr, next_uses(t));
    CHECK(warmed.proxy_hits == 2);
    CHECK(warmed.prewarm_bytes == 200);
    check_identities(warmed);
}

TEST_CASE("cost prices egress and each node's waiting") {
    trace_builder b;
    const auto o = b.object("sha256:" + std::string(64, 'b'), 2'000'000'000);
    b.add({0, 0, b.node("gpu-1", {{"node_type", "gpu"}}), o, no_image, b.registry("r"), false});
    b.add({0, 0, b.node("cpu-1", {{"node_type", "cpu"}}), o, no_image, 0, false});
    const auto t = b.finish();
    const auto prices = parse_price_table(R"({"egress_per_gb":0.1,"nodes":[{"match":{"node_type":"gpu"},"per_hour":36}]})");
    sim_config c;
    c.topo = topology::none;
    c.policy = *parse_sim_policy("lru");
    const auto r = simulate(t, c, &prices, next_uses(t));
    CHECK(r.cost_egress == Approx(0.4));
    const double seconds = 0.3 + 2e9 / 50e6;
    CHECK(r.cost_waiting == Approx(seconds / 3600 * 36));
    CHECK(r.unpriced_nodes == 1);
}

TEST_CASE("trace CSV: header required, bad lines counted with their numbers, 64-bit sizes") {
    const auto d = "sha256:" + std::string(64, 'c');
    const auto t = trace_from_csv("time,node,digest,size\n"
                                  "1.5,n1," + d + ",6000000000\n"
                                  "2024-08-01T00:00:00Z,n2," + d + ",6000000000\n"
                                  "x,n1," + d + ",5\n"
                                  "3,n1,sha256:zz,5\n"
                                  "3,n1," + d + ",-5\n"
                                  "3,n1," + d + ",18446744073709551616\n"
                                  "3,," + d + ",5\n"
                                  "3,n1\n\n");
    CHECK(t.requests.size() == 2);
    CHECK(t.requests[0].size == 6'000'000'000ull);
    CHECK(t.requests[1].time_s == 1722470400);
    CHECK(t.bad_lines == 6);
    REQUIRE(t.errors.size() == 6);
    CHECK(t.errors[0] == "line 4: time is neither seconds nor RFC 3339");
    CHECK(t.errors[1] == "line 5: digest is not sha256:<64 hex> or sha512:<128 hex>");
    CHECK(t.errors[3] == "line 7: size is not an unsigned 64-bit integer");
    CHECK_THROWS_AS(trace_from_csv("1,n," + d + ",5\n"), std::invalid_argument);
    CHECK_THROWS_AS(trace_from_csv(""), std::invalid_argument);
    CHECK(trace_from_csv("time,node,digest,size,registry\n1,n," + d + ",5,ghcr.io\n").registries.at(0) == "ghcr.io");
}

TEST_CASE("image references normalise as Docker names them") {
    CHECK(normalise_ref("ubuntu").repository == "docker.io/library/ubuntu");
    CHECK(normalise_ref("ubuntu").tag == "latest");
    CHECK(normalise_ref("org/app:v1").repository == "docker.io/org/app");
    const auto r = normalise_ref("ghcr.io/org/app@sha256:abc");
    CHECK(r.repository == "ghcr.io/org/app");
    CHECK(r.tag.empty());
    CHECK(r.digest == "sha256:abc");
    CHECK(normalise_ref("localhost:5000/x:1").repository == "localhost:5000/x");
}

TEST_CASE("kubelet pulls become layer requests; present images are node hits; unknown images are counted") {
    image_catalog catalog;
    image img{.registry = "ghcr.io", .repository = "org/app", .tag = "v1", .config = {"sha256:cfg", 10},
              .layers = {{"sha256:l1", 100}, {"sha256:l2", 200}, {"sha256:l1", 100}}};
    catalog.add(img);
    std::vector<pull_observation> pulls(3);
    pulls[0].image = "ghcr.io/org/app:v1";
    pulls[0].node = "a";
    pulls[1].image = "ghcr.io/org/app:v1";
    pulls[1].node = "b";
    pulls[1].already_present = true;
    pulls[2].image = "docker.io/nothing:1";
    const auto t = trace_from_pulls(pulls, catalog);
    REQUIRE(t.requests.size() == 6);  // config and two distinct layers, twice
    CHECK(t.unknown_images == 1);
    CHECK(t.unknown_names == std::vector<std::string>{"docker.io/nothing:1"});
    sim_config c;
    c.topo = topology::none;
    c.policy = *parse_sim_policy("lru");
    const auto r = simulate(t, c, nullptr, next_uses(t));
    CHECK(r.egress_bytes == 310);
    CHECK(r.node_hits == 3);
}

TEST_CASE("synthetic traces are reproducible") {
    const auto a = synthetic_trace({.images = 30, .nodes = 5, .jobs = 20, .seed = 9});
    const auto b = synthetic_trace({.images = 30, .nodes = 5, .jobs = 20, .seed = 9});
    REQUIRE(a.requests.size() == b.requests.size());
    for (std::size_t i = 0; i < a.requests.size(); ++i) {
        CHECK(a.requests[i].object == b.requests[i].object);
        CHECK(a.requests[i].time_s == b.requests[i].time_s);
    }
    CHECK(synthetic_trace({.images = 30, .nodes = 5, .jobs = 20, .seed = 10}).requests.size() != 0);
}

TEST_CASE("a proxy with watermarks 1,1 and no coalescing keeps what a plain cache keeps") {
    const auto t = synthetic_trace({.images = 80, .nodes = 10, .jobs = 200, .burst_s = 5, .seed = 11});
    const auto next = next_uses(t);
    std::uint64_t unique = 0;
    for (const auto s : t.object_sizes) unique += s;
    for (const auto& name : sim_policy_names()) {
        for (const auto fraction : {0.05, 0.3}) {
            INFO(name << " " << fraction);
            sim_config c;
            c.topo = topology::proxy;
            c.policy = *parse_sim_policy(name);
            c.capacity = static_cast<std::uint64_t>(fraction * static_cast<double>(unique));
            c.proxy_high = c.proxy_low = 1.0;
            c.coalescing = false;
            const auto r = simulate(t, c, nullptr, next);
            strata::analytics::testing::reference_cache plain(c.policy, {c.capacity, 1.0, 1.0, c.admit_max, c.ttl_s},
                                                              t.object_sizes);
            std::uint64_t hits = 0;
            for (std::size_t i = 0; i < t.requests.size(); ++i)
                hits += plain.request(t.requests[i].object, t.requests[i].time_s, next.global[i]);
            // The same decisions request by request; a request that arrives while its blob is still
            // downloading is a hit for the plain cache and a second upstream fetch for the proxy.
            CHECK(r.proxy_hits + r.refetched_in_flight == hits);
            CHECK(r.coalesced == 0);
        }
    }
}

TEST_CASE("a pull downloads layer_concurrency layers at once: its time is its busiest lane's") {
    trace_builder b;
    std::vector<std::uint32_t> layers;
    for (int i = 0; i < 6; ++i) layers.push_back(b.object("sha256:" + std::string(63, 'c') + std::to_string(i), 50'000'000));
    const auto image = b.image("img", layers);
    const auto registry = b.registry("r");
    const auto node = b.node("n");
    for (const auto l : layers) b.add({0, 0, node, l, image, registry, false});
    const auto t = b.finish();
    sim_config c;
    c.topo = topology::none;
    c.policy = *parse_sim_policy("lru");
    const double one = 0.3 + 50e6 / 50e6;  // latency and 50 MB at 50 MB/s
    for (const auto& [lanes, rounds] : {std::pair{1u, 6.0}, std::pair{3u, 2.0}, std::pair{4u, 2.0}, std::pair{6u, 1.0}}) {
        INFO(lanes << " lanes");
        c.layer_concurrency = lanes;
        CHECK(simulate(t, c, nullptr, next_uses(t)).pull_seconds == Approx(rounds * one));
    }
}

TEST_CASE("each registry's latency and bandwidth, where the model has them, else the upstream's") {
    trace_builder b;
    const auto slow = b.object("sha256:" + std::string(64, 'd'), 10'000'000);
    const auto fast = b.object("sha256:" + std::string(64, 'e'), 10'000'000);
    const auto image_a = b.image("a", {slow});
    const auto image_b = b.image("b", {fast});
    const auto far = b.registry("far.example");
    const auto near = b.registry("near.example");
    const auto node = b.node("n");
    b.add({0, 0, node, slow, image_a, far, false});
    b.add({1000, 0, node, fast, image_b, near, false});
    const auto t = b.finish();
    sim_config c;
    c.topo = topology::none;
    c.policy = *parse_sim_policy("lru");
    c.net.upstream_bps = 10e6;
    c.net.upstream_latency_s = 0.5;
    c.net.registry_latency_s["far.example"] = 2.0;
    c.net.registry_bps["near.example"] = 100e6;
    // far: its own 2 s latency, the upstream's 10 MB/s; near: the upstream's 0.5 s, its 100 MB/s.
    CHECK(simulate(t, c, nullptr, next_uses(t)).pull_seconds == Approx((2.0 + 1.0) + (0.5 + 0.1)));
}

TEST_CASE("a measured spread gives each transfer one of its values, the same ones every run") {
    trace_builder b;
    const auto registry = b.registry("spread.example");
    const auto node = b.node("n");
    for (int i = 0; i < 200; ++i) {
        const auto o = b.object("sha256:" + std::to_string(1000000 + i) + std::string(57, 'f'), 10'000'000);
        b.add({static_cast<double>(i) * 1000, 0, node, o, b.image("img" + std::to_string(i), {o}), registry, false});
    }
    const auto t = b.finish();
    sim_config c;
    c.topo = topology::none;
    c.policy = *parse_sim_policy("lru");
    c.net.upstream_latency_s = 0;
    const auto seconds = [&](std::vector<double> spread) {
        c.net.registry_bps_spread["spread.example"] = std::move(spread);
        return simulate(t, c, nullptr, next_uses(t)).pull_seconds;
    };
    const double slow = 200 * (10e6 / 1e6), fast = 200 * (10e6 / 100e6);
    CHECK(seconds({1e6}) == Approx(slow));
    const auto mixed = seconds({1e6, 100e6});
    CHECK(mixed > fast + 0.3 * (slow - fast));  // about half the transfers at each rate
    CHECK(mixed < slow - 0.3 * (slow - fast));
    CHECK(seconds({1e6, 100e6}) == mixed);
}

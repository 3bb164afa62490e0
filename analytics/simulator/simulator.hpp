// simulator: replays a trace through a cache topology and reports hits, egress, pull time and
// cost; a sweep runs many (topology, policy, capacity) points on parallel threads.
#pragma once

#include "analytics/analyses/pull_cost.hpp"
#include "analytics/simulator/cache.hpp"
#include "analytics/simulator/trace.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analytics {

// none: every node pulls upstream. node: each node's own cache. proxy: one shared strata.
// node+proxy: both. proxy-replicas: R stratas, each blob on one by consistent hashing.
enum class topology { none, node, proxy, node_proxy, proxy_replicas };
std::optional<topology> parse_topology(std::string_view name);
std::string_view topology_name(topology t);

// Bytes per second per node, and seconds per request.
struct network_model {
    double upstream_bps = 50e6;   // a node's (or the proxy's, per node) share of the registry
    double proxy_bps = 1e9;       // a node's link to the proxy
    double upstream_latency_s = 0.3;
    double proxy_latency_s = 0.002;
    std::map<std::string, double> registry_bps;        // per registry, instead of upstream_bps
    std::map<std::string, double> registry_latency_s;  // per registry, instead of upstream_latency_s
    // Measured spreads (simulate --network-from), per registry: its transfers' rates and times to
    // first byte at evenly spaced quantiles. Each transfer from that registry takes one of them,
    // picked by a hash of its request, so a replay keeps the measured spread and stays the same
    // from run to run. Absent: the single value above.
    std::map<std::string, std::vector<double>> registry_bps_spread, registry_latency_spread;
};

struct sim_config {
    topology topo = topology::proxy;
    sim_policy policy;
    std::uint64_t capacity = 0;        // each proxy (replica)
    std::uint64_t node_capacity = 0;   // each node's cache
    unsigned replicas = 2;             // proxy-replicas
    bool coalescing = true;            // simultaneous proxy misses of a blob share one transfer
    double ttl_s = 7 * 86400;
    std::uint64_t admit_max = never;
    std::size_t prewarm_top_k = 0;     // pre-warm the proxy with the previous window's top images
    double prewarm_window_s = 3600;
    double node_high = 0.85, node_low = 0.80;    // the kubelet's image GC thresholds
    double proxy_high = 0.95, proxy_low = 0.85;  // strata's storage watermarks
    // Layers of one image pull downloaded at once, as containerd does (max_concurrent_downloads,
    // 3 by default): a pull takes as long as its busiest download lane, not the sum of its layers.
    unsigned layer_concurrency = 3;
    network_model net;
};

struct sim_result {
    sim_config config;
    std::uint64_t requests = 0, node_hits = 0, proxy_hits = 0, coalesced = 0, upstream_misses = 0;
    // Without coalescing: requests for a blob the proxy's cache holds but is still downloading,
    // fetched upstream again (a plain cache would count them as hits).
    std::uint64_t refetched_in_flight = 0;
    std::uint64_t requested_bytes = 0, node_hit_bytes = 0, proxy_hit_bytes = 0;
    std::uint64_t egress_bytes = 0;    // upstream transfers, pre-warming included
    std::uint64_t prewarm_bytes = 0;
    double pull_seconds = 0;           // summed over image pulls (each layer_concurrency layers at a time)
    double cost_egress = 0, cost_waiting = 0;
    std::size_t unpriced_nodes = 0;

    double object_hit_ratio() const noexcept;
    double byte_hit_ratio() const noexcept;
    std::uint64_t bytes_saved() const noexcept;  // requested - egress
};

// What the offline policies need: for each request, the index of the next request for the
// same object (globally, and from the same node). Computed once per trace.
struct next_use_index {
    std::vector<std::uint64_t> global, per_node;
};
next_use_index next_uses(const trace& t);

// One replay. prices may be null (no cost).
sim_result simulate(const trace& t, const sim_config& config, const price_table* prices, const next_use_index& next);

// Every config on up to threads threads; progress(done, total) after each, from any thread.
std::vector<sim_result> simulate_sweep(const trace& t, const std::vector<sim_config>& configs, const price_table* prices,
                                       unsigned threads, const std::function<void(std::size_t, std::size_t)>& progress);

}  // namespace strata::analytics

// simulator: the per-request walk through node caches, proxies and the upstream.
#include "analytics/simulator/simulator.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace strata::analytics {
namespace {

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;
    for (const unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

// Each object's replica on a ring of 64 virtual points per replica.
std::vector<std::uint8_t> replica_of_objects(const trace& t, unsigned replicas) {
    std::vector<std::pair<std::uint64_t, std::uint8_t>> ring;
    for (unsigned r = 0; r < replicas; ++r)
        for (unsigned v = 0; v < 64; ++v)
            ring.emplace_back(fnv1a("replica-" + std::to_string(r) + "-" + std::to_string(v)), static_cast<std::uint8_t>(r));
    std::sort(ring.begin(), ring.end());
    std::vector<std::uint8_t> out(t.objects.size());
    for (std::size_t o = 0; o < t.objects.size(); ++o) {
        const auto h = fnv1a(t.objects[o]);
        const auto it = std::lower_bound(ring.begin(), ring.end(), std::pair{h, std::uint8_t{0}});
        out[o] = (it == ring.end() ? ring.front() : *it).second;
    }
    return out;
}

template <class V>
V value_or(const std::map<std::string, V>& values, const std::string& key, V fallback) {
    const auto it = values.find(key);
    return it == values.end() ? std::move(fallback) : it->second;
}

// One registry's link in the model: its own measured values where there are some, else the
// upstream's. A spread gives each transfer one of its values.
struct registry_link {
    double bps = 0, latency_s = 0;
    std::vector<double> bps_spread, latency_spread;

    static registry_link of(const network_model& net, const std::string& name) {
        return {value_or(net.registry_bps, name, net.upstream_bps),
                value_or(net.registry_latency_s, name, net.upstream_latency_s),
                value_or(net.registry_bps_spread, name, std::vector<double>{}),
                value_or(net.registry_latency_spread, name, std::vector<double>{})};
    }
    double bps_for(std::uint64_t draw) const { return bps_spread.empty() ? bps : bps_spread[draw % bps_spread.size()]; }
    double latency_for(std::uint64_t draw) const {
        return latency_spread.empty() ? latency_s : latency_spread[(draw >> 32) % latency_spread.size()];
    }
};

// A request's own draw (splitmix64 of its time, object and node): the same trace replays the
// same way.
std::uint64_t draw_of(const trace_request& r) {
    std::uint64_t z = std::bit_cast<std::uint64_t>(r.time_s) ^ (std::uint64_t{r.object} << 20) ^ r.node;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

class replay {
public:
    replay(const trace& t, const sim_config& c, const price_table* prices, const next_use_index& next)
        : t_(t), c_(c), next_(next) {
        r_.config = c;
        const bool nodes = c.topo == topology::node || c.topo == topology::node_proxy;
        if (nodes)
            for (std::size_t n = 0; n < t.nodes.size(); ++n)
                node_caches_.emplace_back(c.policy, sim_cache_limits{c.node_capacity, c.node_high, c.node_low, c.admit_max, c.ttl_s},
                                          t.object_sizes);
        const unsigned proxies = c.topo == topology::proxy_replicas ? std::max(c.replicas, 1u)
                                 : (c.topo == topology::proxy || c.topo == topology::node_proxy) ? 1u
                                                                                                  : 0u;
        for (unsigned p = 0; p < proxies; ++p)
            proxies_.emplace_back(c.policy, sim_cache_limits{c.capacity, c.proxy_high, c.proxy_low, c.admit_max, c.ttl_s},
                                  t.object_sizes);
        if (proxies > 1) replica_ = replica_of_objects(t, proxies);
        for (const auto& name : t.registries) links_.push_back(registry_link::of(c.net, name));
        node_price_.assign(t.nodes.size(), 0);
        if (prices) {
            egress_per_gb_ = prices->egress_per_gb;
            for (std::size_t n = 0; n < t.nodes.size(); ++n) {
                const auto* p = prices->price_for(t.node_labels[n], t.nodes[n]);
                if (p) node_price_[n] = p->per_hour;
                else ++r_.unpriced_nodes;
            }
        }
        pending_.assign(t.objects.size(), -1);
    }

    sim_result run() {
        pulls_.assign(t_.nodes.size(), node_pull{});
        for (std::size_t i = 0; i < t_.requests.size(); ++i) {
            const auto& req = t_.requests[i];
            if (c_.prewarm_top_k && !proxies_.empty()) prewarm_until(req.time_s, i);
            add_to_pull(req, serve(i, req));
        }
        for (std::uint32_t n = 0; n < pulls_.size(); ++n) finish_pull(n);
        r_.cost_egress = static_cast<double>(r_.egress_bytes) / 1e9 * egress_per_gb_;
        return r_;
    }

private:
    // A node's image pull in progress: its download lanes' busy seconds. A request of another
    // image (or of no known image) starts a new pull.
    struct node_pull {
        std::uint32_t image = no_image;
        std::vector<double> lanes;
    };

    void add_to_pull(const trace_request& req, double seconds) {
        auto& pull = pulls_[req.node];
        if (req.image == no_image || req.image != pull.image) {
            finish_pull(req.node);
            pull.image = req.image;
        }
        if (pull.lanes.empty()) pull.lanes.assign(std::max(c_.layer_concurrency, 1u), 0.0);
        *std::min_element(pull.lanes.begin(), pull.lanes.end()) += seconds;  // the lane free first
    }

    void finish_pull(std::uint32_t node) {
        auto& pull = pulls_[node];
        if (pull.lanes.empty()) return;
        const double seconds = *std::max_element(pull.lanes.begin(), pull.lanes.end());
        r_.pull_seconds += seconds;
        r_.cost_waiting += seconds / 3600 * node_price_[node];
        pull.lanes.clear();
        pull.image = no_image;
    }

    double upstream_seconds(const trace_request& req, bool via_proxy) const {
        const auto& link = links_[req.registry];
        const auto draw = draw_of(req);
        const double bps = via_proxy ? std::min(link.bps_for(draw), c_.net.proxy_bps) : link.bps_for(draw);
        return link.latency_for(draw) + (via_proxy ? c_.net.proxy_latency_s : 0) + static_cast<double>(req.size) / bps;
    }
    double proxy_seconds(const trace_request& req) const {
        return c_.net.proxy_latency_s + static_cast<double>(req.size) / c_.net.proxy_bps;
    }

    double upstream_miss(const trace_request& req, bool via_proxy) {
        ++r_.upstream_misses;
        r_.egress_bytes += req.size;
        return upstream_seconds(req, via_proxy);
    }

    double serve(std::size_t i, const trace_request& req) {
        ++r_.requests;
        r_.requested_bytes += req.size;
        if (req.node_hit) return node_hit(req);
        if (!node_caches_.empty() && node_caches_[req.node].request(req.object, req.time_s, next_.per_node[i]))
            return node_hit(req);
        if (proxies_.empty()) return upstream_miss(req, false);
        auto& proxy = proxies_[replica_.empty() ? 0 : replica_[req.object]];
        const bool hit = proxy.request(req.object, req.time_s, next_.global[i]);
        auto& done = pending_[req.object];
        if (done > req.time_s) {
            // The proxy is still downloading this blob for an earlier request (kept or not).
            if (!c_.coalescing) {
                // A proxy without coalescing fetches it again, though its cache already holds it.
                if (hit) ++r_.refetched_in_flight;
                return upstream_miss(req, true);
            }
            ++r_.coalesced;
            ++r_.proxy_hits;
            r_.proxy_hit_bytes += req.size;
            return std::max(done - req.time_s, proxy_seconds(req));
        }
        if (hit) {
            ++r_.proxy_hits;
            r_.proxy_hit_bytes += req.size;
            return proxy_seconds(req);
        }
        const double seconds = upstream_miss(req, true);
        done = req.time_s + seconds;
        return seconds;
    }

    double node_hit(const trace_request& req) {
        ++r_.node_hits;
        r_.node_hit_bytes += req.size;
        return 0;
    }

    // At each window boundary passed, the previous window's most pulled images go to the proxy.
    void prewarm_until(double now, std::size_t index) {
        if (window_end_ < 0) window_end_ = now + c_.prewarm_window_s;
        while (now >= window_end_) {
            std::vector<std::pair<std::size_t, std::uint32_t>> top;
            for (const auto& [image, count] : window_counts_) top.emplace_back(count, image);
            std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
            for (std::size_t k = 0; k < top.size() && k < c_.prewarm_top_k; ++k)
                for (const auto o : t_.image_objects[top[k].second]) {
                    auto& proxy = proxies_[replica_.empty() ? 0 : replica_[o]];
                    const auto size = t_.object_sizes[o];
                    if (proxy.insert_if_absent(o, window_end_, next_.global[index])) {
                        r_.egress_bytes += size;
                        r_.prewarm_bytes += size;
                    }
                }
            window_counts_.clear();
            window_end_ += c_.prewarm_window_s;
        }
        if (t_.requests[index].image != no_image) ++window_counts_[t_.requests[index].image];
    }

    const trace& t_;
    const sim_config& c_;
    const next_use_index& next_;
    sim_result r_;
    std::vector<sim_cache> node_caches_, proxies_;
    std::vector<std::uint8_t> replica_;
    std::vector<registry_link> links_;
    std::vector<double> node_price_, pending_;
    std::vector<node_pull> pulls_;
    double egress_per_gb_ = 0, window_end_ = -1;
    std::unordered_map<std::uint32_t, std::size_t> window_counts_;
};

}  // namespace

std::optional<topology> parse_topology(std::string_view name) {
    if (name == "none") return topology::none;
    if (name == "node") return topology::node;
    if (name == "proxy") return topology::proxy;
    if (name == "node+proxy") return topology::node_proxy;
    if (name == "proxy-replicas") return topology::proxy_replicas;
    return std::nullopt;
}

std::string_view topology_name(topology t) {
    switch (t) {
    case topology::none: return "none";
    case topology::node: return "node";
    case topology::proxy: return "proxy";
    case topology::node_proxy: return "node+proxy";
    case topology::proxy_replicas: return "proxy-replicas";
    }
    return "?";
}

double sim_result::object_hit_ratio() const noexcept {
    return requests ? static_cast<double>(node_hits + proxy_hits) / static_cast<double>(requests) : 0;
}

double sim_result::byte_hit_ratio() const noexcept {
    return requested_bytes ? static_cast<double>(node_hit_bytes + proxy_hit_bytes) / static_cast<double>(requested_bytes) : 0;
}

std::uint64_t sim_result::bytes_saved() const noexcept {
    return requested_bytes > egress_bytes ? requested_bytes - egress_bytes : 0;
}

next_use_index next_uses(const trace& t) {
    next_use_index n;
    const auto count = t.requests.size();
    n.global.assign(count, never);
    n.per_node.assign(count, never);
    std::vector<std::uint64_t> last(t.objects.size(), never);
    std::unordered_map<std::uint64_t, std::uint64_t> last_by_node;
    for (std::size_t i = count; i-- > 0;) {
        const auto& r = t.requests[i];
        n.global[i] = last[r.object];
        last[r.object] = i;
        const auto key = (static_cast<std::uint64_t>(r.node) << 32) | r.object;
        const auto [it, added] = last_by_node.try_emplace(key, i);
        if (!added) {
            n.per_node[i] = it->second;
            it->second = i;
        }
    }
    return n;
}

sim_result simulate(const trace& t, const sim_config& config, const price_table* prices, const next_use_index& next) {
    return replay(t, config, prices, next).run();
}

std::vector<sim_result> simulate_sweep(const trace& t, const std::vector<sim_config>& configs, const price_table* prices,
                                       unsigned threads, const std::function<void(std::size_t, std::size_t)>& progress) {
    const auto next = next_uses(t);
    std::vector<sim_result> results(configs.size());
    std::atomic<std::size_t> claimed{0}, done{0};
    std::mutex progress_mutex;
    const auto work = [&] {
        for (std::size_t i; (i = claimed++) < configs.size();) {
            results[i] = simulate(t, configs[i], prices, next);
            const auto finished = ++done;
            if (progress) {
                std::lock_guard lock(progress_mutex);
                progress(finished, configs.size());
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned k = 1; k < std::max(threads, 1u); ++k) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
    return results;
}

}  // namespace strata::analytics

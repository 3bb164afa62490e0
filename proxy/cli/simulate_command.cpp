// simulate_command: flags to a trace and a sweep of configurations, progress on a TTY, then a
// table, JSON, CSV or the HTML report.
#include "proxy/cli/simulate_command.hpp"

#include "proxy/cli/command_frame.hpp"
#include "proxy/cli/flags.hpp"
#include "analytics/inputs/byte_size.hpp"
#include "analytics/inputs/input_stream.hpp"
#include "analytics/report/report_html.hpp"
#include "analytics/simulator/tables.hpp"
#include "proxy/cli/output_file.hpp"
#include "proxy/cli/store_dir.hpp"
#include "proxy/config/config.hpp"

#include "storage/blobs/blob_store.hpp"
#include "storage/events/event_log.hpp"
#include "storage/untrusted/text_escape.hpp"
#include "analytics/simulator/network_fit.hpp"
#include "storage/index/metadata_index.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <set>
#include <stdexcept>
#include <thread>

namespace strata::proxy {
namespace {

namespace fs = std::filesystem;
using analytics::sim_config;

constexpr const char* simulate_usage =
    "usage: strata simulate TRACE [options]\n"
    "Trace (one of):\n"
    "  --data-dir DIR          strata's pull event log (blob GETs, by node); repeat it for the\n"
    "                          replicas of a cluster: their logs are merged in time order\n"
    "  --k8s PATH... --images PATH...  kubelet pull events, resolved to config and layers by manifests\n"
    "                          (bundles, OCI layouts, skopeo files, or a strata data directory);\n"
    "                          --labels PATTERN as in analyze\n"
    "  --csv FILE              time,node,digest,size[,registry] with a header\n"
    "  --synthetic             Zipf-popular images in job bursts: --images-count N --nodes N --jobs N\n"
    "                          --burst SECONDS --seed N\n"
    "Strategies (comma lists are swept):\n"
    "  --topology none,node,proxy,node+proxy,proxy-replicas   (default proxy)\n"
    "  --policy lru,fifo,lfu,s3fifo,sieve,gdsf,arc,gd-bytes,ttl,belady,belady-size|all   (default all)\n"
    "  --capacity 10GB,100GB|auto  each proxy (auto: 1-100% of the trace's unique bytes)\n"
    "  --node-capacity SIZE    each node's cache (default 100GB)     --replicas R (default 2)\n"
    "  --no-coalescing  --ttl SECONDS  --admit-max SIZE  --prewarm K [--prewarm-window SECONDS]\n"
    "  --watermarks HIGH,LOW   the proxy's eviction watermarks (default 0.95,0.85; 1,1 with\n"
    "                          --no-coalescing is a plain cache)\n"
    "  --config FILE           a deployment's strata.json: its budget, watermarks and eviction policy\n"
    "                          (flags given as well win)\n"
    "  --layer-concurrency N   layers of one pull downloaded at once (default 3, as containerd)\n"
    "Network and money:\n"
    "  --upstream-bw 50MB/s  --proxy-bw 1GB/s  --registry-bw ghcr.io=20MB/s  --upstream-latency 0.3\n"
    "  --proxy-latency 0.002  --prices FILE (node $/hour and egress $/GB, as in analyze cost)\n"
    "  --network-from DIR      rates and latencies measured in recorded pulls (strata bench runs or a\n"
    "                          strata's own log): medians of each, replacing the flags' values\n"
    "Output: --format table|json|csv, --report FILE (HTML with miss-ratio curves), --threads N\n";

struct simulate_args {
    std::string csv, pattern, format = "table", report, prices_file, config_file;
    bool policy_given = false, watermarks_given = false;
    std::vector<std::string> data_dirs, k8s, images, network_from;
    bool synthetic = false;
    analytics::synthetic_trace_spec synthetic_spec;
    std::vector<analytics::topology> topologies{analytics::topology::proxy};
    std::vector<analytics::sim_policy> policies;
    std::vector<std::uint64_t> capacities;  // empty: auto
    sim_config base;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
};

double rate_flag(std::string_view flag, const std::string& v) {
    const auto r = analytics::parse_byte_rate(v);
    if (!r) throw usage_error(std::string(flag) + " wants a rate such as 100MB/s, not '" + v + "'");
    return *r;
}

// A count, written as a whole number or as a whole-valued decimal ("1e6", "4.0").
template <class T>
T count_flag(std::string_view flag, const std::string& v, T lo, T hi) {
    const double d = number_in(flag, v, static_cast<double>(lo), static_cast<double>(hi));
    if (d != std::floor(d))
        throw usage_error(std::string(flag) + " wants a whole number from " + std::to_string(lo) + " to " +
                          std::to_string(hi));
    return static_cast<T>(d);
}

void set_policies(simulate_args& a, const std::string& v) {
    a.policies.clear();
    for (const auto& name : v == "all" ? analytics::sim_policy_names() : comma_list(v)) {
        const auto p = analytics::parse_sim_policy(name);
        if (!p) throw usage_error("--policy: unknown policy " + name);
        a.policies.push_back(*p);
    }
}

void set_topologies(simulate_args& a, const std::string& v) {
    a.topologies.clear();
    for (const auto& name : comma_list(v)) {
        const auto t = analytics::parse_topology(name);
        if (!t) throw usage_error("--topology: unknown topology " + name);
        a.topologies.push_back(*t);
    }
}

void set_capacities(simulate_args& a, const std::string& v) {
    a.capacities.clear();
    if (v != "auto")
        for (const auto& c : comma_list(v)) a.capacities.push_back(size_flag("--capacity", c));
}

void network_flags(flag_set& f, analytics::network_model& net) {
    f.value("--upstream-bw", [&net](const std::string& v) { net.upstream_bps = rate_flag("--upstream-bw", v); })
        .value("--proxy-bw", [&net](const std::string& v) { net.proxy_bps = rate_flag("--proxy-bw", v); })
        .value("--upstream-latency",
               [&net](const std::string& v) { net.upstream_latency_s = number_in("--upstream-latency", v, 0, 3600); })
        .value("--proxy-latency", [&net](const std::string& v) { net.proxy_latency_s = number_in("--proxy-latency", v, 0, 3600); })
        .value("--registry-bw", [&net](const std::string& v) {
            const auto [registry, rate] = key_value("--registry-bw", v, "REGISTRY=RATE");
            net.registry_bps[registry] = rate_flag("--registry-bw", rate);
        });
}

void synthetic_flags(flag_set& f, analytics::synthetic_trace_spec& s) {
    f.value("--images-count",
            [&s](const std::string& v) { s.images = count_flag<std::size_t>("--images-count", v, 1, 1'000'000); })
        .value("--nodes", [&s](const std::string& v) { s.nodes = count_flag<std::size_t>("--nodes", v, 1, 100'000); })
        .value("--jobs", [&s](const std::string& v) { s.jobs = count_flag<std::size_t>("--jobs", v, 1, 100'000'000); })
        .value("--burst", [&s](const std::string& v) { s.burst_s = number_in("--burst", v, 0, 86400); })
        .value("--seed", [&s](const std::string& v) { s.seed = count_flag<std::uint64_t>("--seed", v, 0, 1'000'000'000'000'000); });
}

// "HIGH,LOW" with 0 < LOW <= HIGH <= 1.
void set_watermarks(sim_config& c, const std::string& v) {
    const auto parts = comma_list(v);
    if (parts.size() != 2) throw usage_error("--watermarks wants HIGH,LOW such as 0.95,0.85, not '" + v + "'");
    const double high = number_in("--watermarks", parts[0], 0, 1), low = number_in("--watermarks", parts[1], 0, 1);
    if (!(low > 0 && low <= high)) throw usage_error("--watermarks: need 0 < LOW <= HIGH <= 1, not '" + v + "'");
    c.proxy_high = high;
    c.proxy_low = low;
}

// What --config's strata.json says of the cache, where no flag said otherwise.
void apply_deployment(simulate_args& a) {
    const auto cfg = load_config_file(a.config_file);
    if (a.capacities.empty() && cfg.storage.max_bytes) a.capacities = {cfg.storage.max_bytes};
    if (!a.watermarks_given) {
        a.base.proxy_high = cfg.storage.high_watermark;
        a.base.proxy_low = cfg.storage.low_watermark;
    }
    if (!a.policy_given) set_policies(a, cfg.storage.eviction_policy);
    if (!cfg.storage.pinned.empty())
        std::cerr << "simulate: the " << cfg.storage.pinned.size() << " pins of " << a.config_file
                  << " are not modelled: pinned blobs count against the budget in strata, not here\n";
}

void strategy_flags(flag_set& f, simulate_args& a) {
    auto& b = a.base;
    f.value("--policy", [&a](const std::string& v) {
         set_policies(a, v);
         a.policy_given = true;
     })
        .value("--watermarks", [&a](const std::string& v) {
            set_watermarks(a.base, v);
            a.watermarks_given = true;
        })
        .text("--config", a.config_file)
        .value("--layer-concurrency",
               [&b](const std::string& v) { b.layer_concurrency = count_flag<unsigned>("--layer-concurrency", v, 1, 64); })
        .value("--topology", [&a](const std::string& v) { set_topologies(a, v); })
        .value("--capacity", [&a](const std::string& v) { set_capacities(a, v); })
        .value("--node-capacity", [&b](const std::string& v) { b.node_capacity = size_flag("--node-capacity", v); })
        .value("--replicas", [&b](const std::string& v) { b.replicas = count_flag<unsigned>("--replicas", v, 1, 64); })
        .value("--ttl", [&b](const std::string& v) { b.ttl_s = number_in("--ttl", v, 0, 1e9); })
        .value("--admit-max", [&b](const std::string& v) { b.admit_max = size_flag("--admit-max", v); })
        .value("--prewarm",
               [&b](const std::string& v) { b.prewarm_top_k = count_flag<std::size_t>("--prewarm", v, 0, 1'000'000); })
        .value("--prewarm-window", [&b](const std::string& v) { b.prewarm_window_s = number_in("--prewarm-window", v, 1, 1e8); })
        .toggle("--no-coalescing", b.coalescing, false);
}

flag_set simulate_flags(simulate_args& a) {
    flag_set f;
    f.value("--data-dir", [&a](const std::string& v) { a.data_dirs.push_back(v); })
        .text("--csv", a.csv)
        .list("--network-from", a.network_from)
        .list("--k8s", a.k8s)
        .list("--images", a.images)
        .text("--labels", a.pattern)
        .toggle("--synthetic", a.synthetic)
        .value("--format", [&a](const std::string& v) { a.format = one_of("--format", v, {"table", "json", "csv"}); })
        .text("--report", a.report)
        .text("--prices", a.prices_file)
        .value("--threads", [&a](const std::string& v) { a.threads = count_flag<unsigned>("--threads", v, 1, 256); })
        .operands([&a](const std::string& v) {
            if (a.k8s.empty()) throw usage_error("unexpected argument '" + v + "'");
            a.k8s.push_back(v);  // more event paths after --k8s
        });
    synthetic_flags(f, a.synthetic_spec);
    strategy_flags(f, a);
    network_flags(f, a.base.net);
    return f;
}

simulate_args parse_simulate_args(const std::vector<std::string>& args) {
    if (args.empty()) throw usage_error("no trace given");
    simulate_args a;
    a.base.node_capacity = 100'000'000'000ull;
    set_policies(a, "all");
    simulate_flags(a).parse(args);
    if (!a.config_file.empty()) apply_deployment(a);
    const int sources = !a.data_dirs.empty() + !a.csv.empty() + !a.k8s.empty() + a.synthetic;
    if (sources != 1) throw usage_error("give exactly one trace: --data-dir, --k8s, --csv or --synthetic");
    if (!a.k8s.empty() && a.images.empty()) throw usage_error("--k8s needs --images (manifests) to resolve layers");
    const bool node_caches = std::any_of(a.topologies.begin(), a.topologies.end(), [](analytics::topology t) {
        return t == analytics::topology::node || t == analytics::topology::node_proxy;
    });
    if (node_caches && a.base.node_capacity == 0) throw usage_error("--node-capacity must be positive");
    return a;
}

std::string read_file(const std::string& path, std::size_t limit) {
    auto file = analytics::read_input_file(path, limit);
    if (!file.text) throw std::runtime_error("file " + path + ": " + file.error);
    return std::move(*file.text);
}

analytics::trace load_trace(const simulate_args& a) {
    if (a.synthetic) return analytics::synthetic_trace(a.synthetic_spec);
    if (!a.csv.empty()) return analytics::trace_from_csv(read_file(a.csv, std::size_t{8} << 30));
    if (!a.data_dirs.empty()) {
        std::vector<std::unique_ptr<storage::metadata_index>> indexes;
        std::vector<std::unique_ptr<storage::event_log>> logs;
        std::vector<const storage::event_log*> all;
        for (const auto& dir : a.data_dirs) {
            indexes.push_back(std::make_unique<storage::metadata_index>(store_index_dir(dir),
                                                                        storage::metadata_index::open_mode::read_only));
            logs.push_back(std::make_unique<storage::event_log>(*indexes.back()));
            all.push_back(logs.back().get());
        }
        return analytics::trace_from_event_logs(all, 0, std::numeric_limits<std::int64_t>::max());
    }
    analytics::image_catalog catalog;
    for (const auto& p : a.images) {
        if (fs::is_directory(fs::path(p) / "index")) {  // a strata data directory: its cached images
            storage::metadata_index index(fs::path(p) / "index", storage::metadata_index::open_mode::read_only);
            analytics::import_store(catalog, index, storage::blob_store(p, /*clean_temp=*/false));
        } else {
            analytics::import_image_files(catalog, {fs::path(p)});
        }
    }
    analytics::k8s_event_importer events;
    events.add_paths(a.k8s, a.pattern, {});
    std::cerr << "events: " << events.counts().pulled << " pulls, " << events.counts().already_present
              << " already present; images: " << catalog.counts().images << "\n";
    return analytics::trace_from_pulls(events.pulls(), catalog);
}

// 1%…100% of the trace's unique bytes.
std::vector<std::uint64_t> auto_capacities(const analytics::trace& t) {
    std::uint64_t unique = 0;
    for (const auto s : t.object_sizes) unique += s;
    std::vector<std::uint64_t> out;
    for (const double f : {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0})
        out.push_back(std::max<std::uint64_t>(static_cast<std::uint64_t>(f * static_cast<double>(unique)), 1));
    return out;
}

std::vector<sim_config> sweep(const simulate_args& a, const analytics::trace& t) {
    const auto capacities = a.capacities.empty() ? auto_capacities(t) : a.capacities;
    std::vector<sim_config> out;
    for (const auto topo : a.topologies) {
        if (topo == analytics::topology::none) {
            auto c = a.base;
            c.topo = topo;
            c.policy = *analytics::parse_sim_policy("lru");
            c.policy.name = "-";
            out.push_back(c);
            continue;
        }
        for (const auto& policy : a.policies) {
            // Node caches are sized by --node-capacity alone: one point per policy.
            const auto& sizes = topo == analytics::topology::node ? std::vector<std::uint64_t>{a.base.node_capacity} : capacities;
            for (const auto capacity : sizes) {
                auto c = a.base;
                c.topo = topo;
                c.policy = policy;
                c.capacity = capacity;
                out.push_back(c);
            }
        }
    }
    return out;
}

void print_sweep_progress(std::size_t done, std::size_t total) {
    std::fprintf(stderr, "\rsimulating %zu/%zu", done, total);
    if (done == total) std::fprintf(stderr, "\n");
}

void write_report(const simulate_args& a, const analytics::trace& t, const std::vector<analytics::sim_result>& results,
                  const analytics::price_table* prices) {
    analytics::report_inputs in;
    in.title = "strata simulate";
    in.generated_at = "Caching strategies replayed over " + std::to_string(t.requests.size()) + " blob requests";
    in.simulation = &results;
    in.simulated_trace = &t;
    in.prices = prices;
    write_file_atomically(a.report, analytics::render_report(in));
}

std::string comma_joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

std::string rate_text(double bps) { return analytics::human_bytes(bps) + "/s"; }

// The network model fitted to the pulls recorded in --network-from's data directories.
analytics::network_model fitted_network(const simulate_args& a) {
    analytics::network_fitter fitter(a.base.net);
    for (const auto& dir : a.network_from) {
        storage::metadata_index index(store_index_dir(dir), storage::metadata_index::open_mode::read_only);
        storage::event_log log(index);
        log.scan(0, std::numeric_limits<std::int64_t>::max(), [&](const storage::pull_event& e) {
            fitter.add(e);
            return true;
        });
    }
    const auto f = fitter.fit();
    if (f.upstream_transfers + f.upstream_answers + f.proxy_transfers + f.proxy_answers == 0)
        throw std::invalid_argument("--network-from: no recorded blob pulls in " + comma_joined(a.network_from));
    const auto& m = f.model;
    std::cerr << "network from recorded pulls: upstream " << rate_text(m.upstream_bps) << " (median of "
              << f.upstream_transfers << " transfers), latency " << m.upstream_latency_s << " s (" << f.upstream_answers
              << "); proxy " << rate_text(m.proxy_bps) << " (" << f.proxy_transfers << "), latency "
              << m.proxy_latency_s << " s (" << f.proxy_answers << ")\n";
    std::set<std::string> registries;
    for (const auto& [registry, n] : f.registry_transfers) registries.insert(registry);
    for (const auto& [registry, n] : f.registry_answers) registries.insert(registry);
    for (const auto& registry : registries) {
        std::cerr << "  registry " << storage::log_value(registry) << ":";
        if (const auto n = f.registry_transfers.find(registry); n != f.registry_transfers.end()) {
            const auto& spread = m.registry_bps_spread.at(registry);
            std::cerr << " " << rate_text(m.registry_bps.at(registry)) << " (" << n->second << ")";
            if (spread.size() > 1) std::cerr << " [" << rate_text(spread.front()) << " to " << rate_text(spread.back()) << "]";
        }
        if (const auto n = f.registry_answers.find(registry); n != f.registry_answers.end()) {
            const auto& spread = m.registry_latency_spread.at(registry);
            std::cerr << " latency " << m.registry_latency_s.at(registry) << " s (" << n->second << ")";
            if (spread.size() > 1) std::cerr << " [" << spread.front() << " to " << spread.back() << " s]";
        }
        std::cerr << "\n";
    }
    return m;
}

int run(simulate_args a) {
    if (!a.network_from.empty()) a.base.net = fitted_network(a);
    std::optional<analytics::price_table> prices;
    if (!a.prices_file.empty()) prices = analytics::load_price_table(a.prices_file);
    const auto t = load_trace(a);
    if (t.unknown_images) std::cerr << "trace: " << t.unknown_images << " pulls of images without a known manifest\n";
    for (const auto& n : t.unknown_names) std::cerr << "  " << n << "\n";
    if (t.bad_lines) std::cerr << "trace: " << t.bad_lines << " lines skipped\n";
    for (const auto& e : t.errors) std::cerr << "  " << e << "\n";
    if (t.requests.empty()) {
        std::cerr << "strata simulate: the trace has no requests\n";
        return 1;
    }
    const auto configs = sweep(a, t);
    const bool tty = ::isatty(STDERR_FILENO);
    const auto results = analytics::simulate_sweep(t, configs, prices ? &*prices : nullptr, a.threads,
                                                   tty ? std::function<void(std::size_t, std::size_t)>(print_sweep_progress) : nullptr);
    if (!a.report.empty()) write_report(a, t, results, prices ? &*prices : nullptr);
    const auto currency = prices ? prices->currency : "USD";
    if (a.format == "json") std::cout << analytics::sim_json(results, t).dump(2) << "\n";
    else if (a.format == "csv") std::cout << analytics::render_csv(analytics::sim_results_table(results, currency));
    else
        std::cout << analytics::render_text(analytics::trace_summary_table(t)) << "\n"
                  << analytics::render_text(analytics::sim_results_table(results, currency));
    return 0;
}

}  // namespace

int run_simulate_command(const std::vector<std::string>& args) {
    return run_command("simulate", simulate_usage, args, [&] { return run(parse_simulate_args(args)); });
}

}  // namespace strata::proxy

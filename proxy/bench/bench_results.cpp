// bench_results: percentiles over node pulls; events built field by field.
#include "proxy/bench/bench_results.hpp"

#include "storage/events/event_labels.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <tuple>
#include <cmath>
#include <cstdio>

namespace strata::proxy {
namespace {

// Label values are kept to what a key=value,… list can carry.
std::string label_value(const std::string& text) {
    std::string out;
    for (const char c : text) out += (c == ',' || c == '=' || static_cast<unsigned char>(c) < 0x20) ? '_' : c;
    return out;
}

std::string trial_labels(const trial_result& t, const std::string& run_id) {
    const auto& k = t.key;
    std::string labels = "run=" + label_value(run_id) + ",strategy=" + std::string(strategy_name(k.strategy)) +
                         ",nodes=" + std::to_string(k.nodes) +
                         ",concurrency=" + (k.concurrency ? std::to_string(k.concurrency) : "all") +
                         ",registry=" + label_value(k.registry);
    if (!t.shape.empty()) labels += ",shape=" + label_value(t.shape);
    if (t.layers) labels += ",layers=" + std::to_string(t.layers);
    if (t.client == bench_client::ctr) labels += ",client=ctr";
    return labels;
}

storage::pull_event trial_event(const trial_result& t, const std::string& labels) {
    storage::pull_event e;
    e.client = "127.0.0.1";
    e.node = "bench";
    e.user_agent = "strata-bench/1";
    e.upstream = t.key.registry;
    std::tie(e.repository, e.reference) = split_image_ref(t.key.image);
    e.labels = labels;
    e.kind = "trial";
    e.method = "GET";
    e.ts_ns = INT64_MAX;
    for (const auto& p : t.pulls) e.ts_ns = std::min(e.ts_ns, p.start_ns), e.bytes_sent += p.bytes;
    if (t.pulls.empty()) e.ts_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::system_clock::now().time_since_epoch()).count();
    e.duration_ns = static_cast<std::int64_t>(t.wall_s * 1e9);
    e.object_size = t.image_bytes;
    e.upstream_bytes = t.upstream_bytes.value_or(0);
    e.http_status = t.error.empty() && t.failed() == 0 ? 200 : 0;
    e.cache_status = e.http_status == 200 ? "" : "error";
    return e;
}

storage::pull_event base_event(const trial_result& t, const image_pull& p, const std::string& labels) {
    storage::pull_event e;
    e.client = "127.0.0.1";
    e.node = p.node;
    e.user_agent = "strata-bench/1";
    e.upstream = t.key.registry;
    e.repository = p.repository;
    e.reference = p.reference;
    e.labels = labels;
    return e;
}

std::string text_with_count(double value, const char* unit) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.1f%s", value, unit);
    return buffer;
}

}  // namespace

double quantile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::vector<double> finished_seconds(const trial_result& t) {
    std::vector<double> out;
    for (const auto& p : t.pulls)
        if (p.ok) out.push_back(p.seconds());
    return out;
}

std::string seconds_text(double s) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, s < 10 ? "%.2f s" : "%.0f s", s);
    return buffer;
}

std::vector<storage::pull_event> trial_events(const trial_result& t, const std::string& run_id) {
    std::vector<storage::pull_event> out;
    auto labels = trial_labels(t, run_id);
    for (const auto& p : t.pulls) {
        for (const auto& r : p.requests) {
            auto e = base_event(t, p, labels + ",source=" + r.source);
            e.ts_ns = r.start_ns;
            e.digest = r.digest;
            e.kind = r.kind;
            e.method = r.method;
            e.bytes_sent = e.object_size = r.bytes;
            e.http_status = r.status;
            e.duration_ns = r.end_ns - r.start_ns;
            e.ttfb_ns = r.ttfb_ns ? r.ttfb_ns - r.start_ns : 0;
            out.push_back(std::move(e));
        }
        auto e = base_event(t, p, labels);
        e.ts_ns = p.start_ns;
        e.digest = p.digest;
        e.kind = "image";
        e.method = "GET";
        e.bytes_sent = p.bytes;
        e.object_size = p.size;
        e.http_status = p.ok ? 200 : 0;
        e.cache_status = p.ok ? "" : "error";
        e.duration_ns = p.end_ns - p.start_ns;
        out.push_back(std::move(e));
    }
    // An https registry's egress is not measured: said so, rather than recorded as nothing.
    out.push_back(trial_event(t, t.upstream_bytes ? labels : labels + ",egress=unmeasured"));
    return out;
}

namespace {

std::string image_of(const storage::pull_event& e) {
    const bool digest = e.reference.starts_with("sha256:") || e.reference.starts_with("sha512:");
    return e.repository + (digest ? "@" : ":") + e.reference;
}

// What tells one trial's events from another's: the image and the labels, but a request's
// source and a trial's note on its egress.
std::string trial_id(const storage::pull_event& e) {
    auto labels = storage::parse_event_labels(e.labels);
    labels.erase("source");
    labels.erase("egress");
    std::string id = image_of(e);
    for (const auto& [k, v] : labels) id += '\n' + k + '=' + v;
    return id;
}

std::optional<trial_key> key_of(const storage::pull_event& e) {
    auto labels = storage::parse_event_labels(e.labels);
    if (!labels.count("run") || !labels.count("strategy") || !labels.count("nodes")) return std::nullopt;
    try {
        trial_key k;
        k.registry = e.upstream;
        k.image = image_of(e);
        k.strategy = parse_strategy(labels["strategy"]);
        const auto nodes = std::stoul(labels["nodes"]);
        const auto concurrency = labels["concurrency"] == "all" ? 0 : std::stoul(labels["concurrency"]);
        if (nodes < 1 || nodes > max_bench_nodes || concurrency > max_bench_concurrency) return std::nullopt;
        k.nodes = static_cast<unsigned>(nodes);
        k.concurrency = static_cast<unsigned>(concurrency);
        return k;
    } catch (const std::exception&) {  // labels that are not a bench's: not a trial
        return std::nullopt;
    }
}

// A damaged record's times are kept within a day of their start, never overflowing.
std::int64_t span_ns(std::int64_t ns) { return std::clamp<std::int64_t>(ns, 0, 86'400'000'000'000); }

image_pull pull_of(const storage::pull_event& e) {
    image_pull p;
    p.ok = e.http_status == 200;
    p.node = e.node;
    p.repository = e.repository;
    p.reference = e.reference;
    p.digest = e.digest;
    p.bytes = e.bytes_sent;
    p.size = e.object_size;
    p.start_ns = std::clamp<std::int64_t>(e.ts_ns, 0, INT64_MAX / 2);
    p.end_ns = p.start_ns + span_ns(e.duration_ns);
    return p;
}

}  // namespace

std::vector<trial_result> trials_from_events(const std::vector<storage::pull_event>& events) {
    std::map<std::string, std::vector<image_pull>> pulls;
    for (const auto& e : events)
        if (e.kind == "image") pulls[trial_id(e)].push_back(pull_of(e));
    std::vector<trial_result> out;
    for (const auto& e : events) {
        if (e.kind != "trial") continue;
        const auto key = key_of(e);
        if (!key) continue;
        trial_result t;
        t.key = *key;
        auto labels = storage::parse_event_labels(e.labels);
        t.shape = labels["shape"];
        if (labels["client"] == "ctr") t.client = bench_client::ctr;
        t.layers = static_cast<unsigned>(std::strtoul(labels["layers"].c_str(), nullptr, 10));
        t.wall_s = static_cast<double>(span_ns(e.duration_ns)) / 1e9;
        if (!labels.count("egress")) t.upstream_bytes = e.upstream_bytes;
        t.image_bytes = e.object_size;
        if (const auto it = pulls.find(trial_id(e)); it != pulls.end()) t.pulls = it->second;
        if (e.http_status != 200 && t.pulls.empty()) t.error = "the trial failed";
        out.push_back(std::move(t));
    }
    return out;
}

analytics::result_table trials_table(const std::vector<trial_result>& trials) {
    using analytics::unit;
    analytics::result_table table{"Pull trials", {{"registry"}, {"client"}, {"image"}, {"shape"}, {"strategy"},
                                                  {"nodes", unit::count}, {"concurrency"}, {"image_bytes", unit::bytes},
                                                  {"layers", unit::count}, {"p50_s", unit::seconds},
                                                  {"p90_s", unit::seconds}, {"max_s", unit::seconds},
                                                  {"wall_s", unit::seconds}, {"received_bytes", unit::bytes},
                                                  {"upstream_bytes", unit::bytes}, {"failed", unit::count},
                                                  {"error"}},
                                  {}};
    for (const auto& t : trials) {
        const auto seconds = finished_seconds(t);
        std::uint64_t received = 0;
        for (const auto& p : t.pulls) received += p.bytes;
        std::string error = t.error;
        if (error.empty() && t.failed())
            for (const auto& p : t.pulls)
                if (!p.ok) {
                    error = p.node + ": " + p.error;
                    break;
                }
        // containerd's pulls say how long they took, not what they moved.
        const auto measured = [&t](double v) {
            return t.client == bench_client::ctr ? analytics::cell(std::string("n/a")) : analytics::cell(v);
        };
        table.add_row({t.key.registry, std::string(t.client == bench_client::ctr ? "ctr" : "builtin"), t.key.image, t.shape, std::string(strategy_name(t.key.strategy)),
                       static_cast<double>(t.key.nodes),
                       t.key.concurrency ? std::to_string(t.key.concurrency) : std::string("all"),
                       measured(static_cast<double>(t.image_bytes)), measured(static_cast<double>(t.layers)),
                       quantile(seconds, 0.5), quantile(seconds, 0.9),
                       seconds.empty() ? 0.0 : *std::max_element(seconds.begin(), seconds.end()), t.wall_s,
                       measured(static_cast<double>(received)),
                       t.upstream_bytes ? analytics::cell(static_cast<double>(*t.upstream_bytes)) : analytics::cell(std::string("n/a")),
                       static_cast<double>(t.error.empty() ? t.failed() : t.key.nodes), error});
    }
    return table;
}

std::vector<std::string> verdicts(const std::vector<trial_result>& trials) {
    std::vector<std::string> out;
    for (const auto& base : trials) {
        if (base.key.strategy != pull_strategy::direct || !base.error.empty() || base.failed()) continue;
        const auto base_p50 = quantile(finished_seconds(base), 0.5);
        for (const auto& t : trials) {
            const auto& k = t.key;
            if (k.strategy == pull_strategy::direct || t.client != base.client || k.registry != base.key.registry || k.image != base.key.image ||
                k.nodes != base.key.nodes || k.concurrency != base.key.concurrency || !t.error.empty() || t.failed())
                continue;
            const auto p50 = quantile(finished_seconds(t), 0.5);
            if (p50 <= 0 || base_p50 <= 0) continue;
            std::string line = analytics::human_bytes(static_cast<double>(base.image_bytes)) + " in " +
                               std::to_string(base.layers) + " layers on " + std::to_string(k.nodes) +
                               (k.nodes == 1 ? " node: " : " nodes: ") + std::string(strategy_name(k.strategy)) + " " +
                               (p50 <= base_p50 ? text_with_count(base_p50 / p50, "x faster")
                                                : text_with_count(p50 / base_p50, "x slower")) +
                               " than direct (p50 " + seconds_text(p50) + " against " + seconds_text(base_p50) + ")";
            // Less than 1 % is the requests' headers, not a saving.
            if (base.upstream_bytes && t.upstream_bytes &&
                *base.upstream_bytes > *t.upstream_bytes + *base.upstream_bytes / 100)
                line += ", " + analytics::human_bytes(static_cast<double>(*base.upstream_bytes - *t.upstream_bytes)) +
                        " less egress";
            out.push_back(std::move(line));
        }
    }
    return out;
}

}  // namespace strata::proxy

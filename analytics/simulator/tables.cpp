// sim_tables: one row per simulated point; curves grouped by topology and policy.
#include "analytics/simulator/tables.hpp"

#include "analytics/report/svg_chart.hpp"

#include <map>

namespace strata::analytics {
namespace {

template <typename Integer>
double num(Integer v) {
    return static_cast<double>(v);
}

std::string capacity_text(const sim_result& r) {
    if (r.config.topo == topology::none) return "-";
    if (r.config.topo == topology::node) return human_bytes(num(r.config.node_capacity)) + "/node";
    return human_bytes(num(r.config.capacity));
}

}  // namespace

result_table sim_results_table(const std::vector<sim_result>& results, const std::string& currency) {
    result_table t{"Simulated caching strategies",
                   {{"topology"}, {"policy"}, {"capacity"}, {"requests", unit::count}, {"object_hit_ratio", unit::ratio},
                    {"byte_hit_ratio", unit::ratio}, {"egress", unit::bytes}, {"saved", unit::bytes},
                    {"coalesced", unit::count}, {"pull_hours", unit::seconds}, {"cost_" + currency, unit::money}},
                   {}};
    for (const auto& r : results)
        t.add_row({std::string(topology_name(r.config.topo)), r.config.policy.name, capacity_text(r), num(r.requests),
                   r.object_hit_ratio(), r.byte_hit_ratio(), num(r.egress_bytes), num(r.bytes_saved()),
                   num(r.coalesced), r.pull_seconds / 3600, r.cost_egress + r.cost_waiting});
    return t;
}

result_table trace_summary_table(const trace& t) {
    std::uint64_t bytes = 0, unique = 0;
    for (const auto& r : t.requests) bytes += r.size;
    for (const auto s : t.object_sizes) unique += s;
    result_table table{"Trace",
                       {{"requests", unit::count}, {"bytes", unit::bytes}, {"objects", unit::count},
                        {"unique_bytes", unit::bytes}, {"nodes", unit::count}, {"images", unit::count},
                        {"unknown_images", unit::count}, {"bad_lines", unit::count}},
                       {}};
    table.add_row({num(t.requests.size()), num(bytes), num(t.objects.size()), num(unique), num(t.nodes.size()),
                   num(t.images.size()), num(t.unknown_images), num(t.bad_lines)});
    return table;
}

nlohmann::json sim_json(const std::vector<sim_result>& results, const trace& t) {
    auto rows = nlohmann::json::array();
    for (const auto& r : results)
        rows.push_back({{"topology", topology_name(r.config.topo)},
                        {"policy", r.config.policy.name},
                        {"capacity", r.config.capacity},
                        {"node_capacity", r.config.node_capacity},
                        {"replicas", r.config.topo == topology::proxy_replicas ? r.config.replicas : 1},
                        {"coalescing", r.config.coalescing},
                        {"watermarks", {r.config.proxy_high, r.config.proxy_low}},
                        {"layer_concurrency", r.config.layer_concurrency},
                        {"requests", r.requests},
                        {"node_hits", r.node_hits},
                        {"proxy_hits", r.proxy_hits},
                        {"coalesced", r.coalesced},
                        {"refetched_in_flight", r.refetched_in_flight},
                        {"upstream_misses", r.upstream_misses},
                        {"requested_bytes", r.requested_bytes},
                        {"node_hit_bytes", r.node_hit_bytes},
                        {"proxy_hit_bytes", r.proxy_hit_bytes},
                        {"egress_bytes", r.egress_bytes},
                        {"prewarm_bytes", r.prewarm_bytes},
                        {"bytes_saved", r.bytes_saved()},
                        {"object_hit_ratio", r.object_hit_ratio()},
                        {"byte_hit_ratio", r.byte_hit_ratio()},
                        {"pull_seconds", r.pull_seconds},
                        {"cost_egress", r.cost_egress},
                        {"cost_waiting", r.cost_waiting},
                        {"cost", r.cost_egress + r.cost_waiting},
                        {"unpriced_nodes", r.unpriced_nodes}});
    return {{"trace", render_json(trace_summary_table(t))[0]},
            {"unknown_image_names", t.unknown_names},
            {"trace_errors", t.errors},
            {"results", rows}};
}

std::string sim_curves_svg(const std::vector<sim_result>& results) {
    std::map<std::string, std::map<std::string, line_series>> by_topology;  // topology -> policy -> series
    std::map<std::string, std::map<std::string, line_series>> bytes_by_topology;
    for (const auto& r : results) {
        if (r.config.topo == topology::none) continue;
        const std::string topo(topology_name(r.config.topo));
        auto& s = by_topology[topo][r.config.policy.name];
        auto& b = bytes_by_topology[topo][r.config.policy.name];
        s.name = b.name = r.config.policy.name;
        s.x.push_back(capacity_text(r));
        s.y.push_back(1 - r.object_hit_ratio());
        b.x.push_back(capacity_text(r));
        b.y.push_back(1 - r.byte_hit_ratio());
    }
    const auto ratio = [](double v) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%.2f", v);
        return std::string(buf);
    };
    std::string out;
    for (const auto* charts : {&by_topology, &bytes_by_topology})
        for (const auto& [topo, policies] : *charts) {
            std::vector<line_series> series;
            for (const auto& [_, s] : policies) series.push_back(s);
            const auto what = charts == &by_topology ? "Miss ratio" : "Byte miss ratio";
            out += svg_line_chart(series, std::string(what) + " vs capacity (" + topo + ")", ratio);
        }
    return out;
}

}  // namespace strata::analytics

// bench_report: trials grouped by strategy, node count, size and layers, drawn with the
// analytics report's charts and tables.
#include "proxy/bench/bench_report.hpp"

#include "analytics/report/result_table.hpp"
#include "analytics/report/svg_chart.hpp"
#include "proxy/bench/bench_results.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace strata::proxy {
namespace {

using analytics::cell;
using analytics::unit;

bool usable(const trial_result& t) { return t.error.empty() && t.failed() == 0 && !t.pulls.empty(); }

// Per strategy, one chart: a line per layer count over image sizes, at the smallest node count.
std::string size_charts(const std::vector<trial_result>& trials) {
    std::map<std::string, std::map<unsigned, std::map<std::uint64_t, double>>> by;  // strategy, layers, size
    std::map<std::string, unsigned> fewest_nodes;
    for (const auto& t : trials) {
        if (!usable(t)) continue;
        const std::string s(strategy_name(t.key.strategy));
        auto& least = fewest_nodes.try_emplace(s, t.key.nodes).first->second;
        least = std::min(least, t.key.nodes);
    }
    for (const auto& t : trials) {
        const std::string s(strategy_name(t.key.strategy));
        if (usable(t) && t.key.nodes == fewest_nodes[s]) by[s][t.layers][t.image_bytes] = quantile(finished_seconds(t), 0.5);
    }
    std::string html;
    for (const auto& [strategy, layers] : by) {
        std::vector<analytics::line_series> series;
        for (const auto& [count, sizes] : layers) {
            analytics::line_series line{std::to_string(count) + (count == 1 ? " layer" : " layers"), {}, {}};
            for (const auto& [size, p50] : sizes)
                line.x.push_back(analytics::human_bytes(static_cast<double>(size))), line.y.push_back(p50);
            series.push_back(std::move(line));
        }
        const auto nodes = fewest_nodes[strategy];
        html += analytics::svg_line_chart(series, strategy + ": p50 pull time by image size (" + std::to_string(nodes) +
                                                      (nodes == 1 ? " node)" : " nodes)"),
                                          seconds_text, false, 600);
    }
    return html;
}

// Per image, p50 and max pull time against the node count, a line each per strategy.
std::string herd_charts(const std::vector<trial_result>& trials) {
    std::map<std::string, std::map<std::string, std::map<unsigned, std::pair<double, double>>>> by;
    for (const auto& t : trials) {
        if (!usable(t)) continue;
        const auto s = finished_seconds(t);
        by[t.key.registry + " " + t.key.image][std::string(strategy_name(t.key.strategy))][t.key.nodes] = {
            quantile(s, 0.5), *std::max_element(s.begin(), s.end())};
    }
    std::string html;
    for (const auto& [image, strategies] : by) {
        std::vector<analytics::line_series> series;
        for (const auto& [strategy, nodes] : strategies) {
            analytics::line_series p50{strategy + " p50", {}, {}}, max{strategy + " max", {}, {}};
            for (const auto& [n, times] : nodes) {
                p50.x.push_back(std::to_string(n)), p50.y.push_back(times.first);
                max.x.push_back(std::to_string(n)), max.y.push_back(times.second);
            }
            series.push_back(std::move(p50));
            series.push_back(std::move(max));
        }
        html += analytics::svg_line_chart(series, image + ": pull time by node count", seconds_text, false, 600);
    }
    return html;
}

// p50, p90 and max over every node pull of a strategy at a node count.
analytics::result_table strategy_table(const std::vector<trial_result>& trials) {
    std::map<std::pair<std::string, unsigned>, std::vector<double>> pooled;
    for (const auto& t : trials)
        if (usable(t)) {
            auto& v = pooled[{std::string(strategy_name(t.key.strategy)), t.key.nodes}];
            const auto s = finished_seconds(t);
            v.insert(v.end(), s.begin(), s.end());
        }
    analytics::result_table table{"Strategies compared (every node pull of every image)",
                                  {{"strategy"}, {"nodes", unit::count}, {"pulls", unit::count}, {"p50_s", unit::seconds},
                                   {"p90_s", unit::seconds}, {"max_s", unit::seconds}},
                                  {}};
    for (const auto& [key, s] : pooled)
        table.add_row({key.first, static_cast<double>(key.second), static_cast<double>(s.size()), quantile(s, 0.5),
                       quantile(s, 0.9), *std::max_element(s.begin(), s.end())});
    return table;
}

// Egress, node time and their cost per strategy, over all its trials.
analytics::result_table cost_table(const std::vector<trial_result>& trials, const analytics::price_table* prices) {
    struct totals {
        double egress = 0, node_seconds = 0, node_cost = 0;
        bool egress_unmeasured = false;
    };
    std::map<std::string, totals> by;
    for (const auto& t : trials) {
        const std::string s(strategy_name(t.key.strategy));
        auto& total = by[s];
        if (t.upstream_bytes) total.egress += static_cast<double>(*t.upstream_bytes);
        else total.egress_unmeasured = true;
        for (const auto& p : t.pulls) {
            total.node_seconds += p.seconds();
            const auto* price = prices ? prices->price_for({{"strategy", s}}, p.node) : nullptr;
            if (price) total.node_cost += p.seconds() / 3600 * price->per_hour;
        }
    }
    const std::string currency = prices ? prices->currency : "";
    analytics::result_table table{"Egress and cost per strategy (all its trials)",
                                  {{"strategy"}, {"upstream_bytes", unit::bytes}, {"node_hours", unit::count}}, {}};
    if (prices)
        table.columns.insert(table.columns.end(), {{"egress_" + currency, unit::money}, {"node_time_" + currency, unit::money},
                                                   {"total_" + currency, unit::money}});
    for (const auto& [s, total] : by) {
        std::vector<cell> row{s, total.egress_unmeasured ? cell(std::string("n/a")) : cell(total.egress),
                              total.node_seconds / 3600};
        if (prices) {
            const double egress_cost = total.egress / 1e9 * prices->egress_per_gb;
            row.insert(row.end(), {egress_cost, total.node_cost, egress_cost + total.node_cost});
        }
        table.add_row(std::move(row));
    }
    return table;
}

std::string egress_bars(const std::vector<trial_result>& trials) {
    std::map<std::string, double> egress;
    for (const auto& t : trials)
        if (t.upstream_bytes) egress[std::string(strategy_name(t.key.strategy))] += static_cast<double>(*t.upstream_bytes);
    if (egress.empty()) return "";
    std::vector<std::pair<std::string, double>> bars(egress.begin(), egress.end());
    return analytics::svg_bars(bars, "Bytes the registry sent, per strategy (all its trials)",
                               [](double b) { return analytics::human_bytes(b); });
}

}  // namespace

analytics::report_section bench_section(const std::vector<trial_result>& trials, const analytics::price_table* prices) {
    std::string html = "<div class=\"answer\">";
    const auto lines = verdicts(trials);
    for (const auto& v : lines) html += "<p>" + analytics::xml_escape(v) + "</p>";
    if (lines.empty()) html += "<p>No trial compares a strategy with direct on the same image and node count.</p>";
    std::size_t failed = 0;
    for (const auto& t : trials) failed += !usable(t);
    if (failed)
        html += "<p>" + std::to_string(failed) + " of " + std::to_string(trials.size()) +
                " trials had failures and are left out of the charts (their rows say why).</p>";
    html += "</div>";
    html += size_charts(trials) + herd_charts(trials);
    html += analytics::render_html(strategy_table(trials)) + egress_bars(trials);
    html += analytics::render_html(cost_table(trials, prices)) + analytics::render_html(trials_table(trials));
    return {"bench", "Pull strategies measured (strata bench)", html};
}

}  // namespace strata::proxy

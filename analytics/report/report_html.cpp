// report_html: page layout and the choice of charts for each analysis.
#include "analytics/report/report_html.hpp"

#include "analytics/analyses/analysis_tables.hpp"
#include "analytics/simulator/tables.hpp"
#include "analytics/report/svg_chart.hpp"
#include "analytics/simulator/policies.hpp"
#include "analytics/simulator/trace.hpp"

#include <algorithm>
#include <cstdio>

namespace strata::analytics {
namespace {

constexpr const char* style = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:20px 32px}header h1{margin:0;font-size:24px}header p{margin:4px 0 0;color:#b8c0cc}
main{max-width:1180px;margin:0 auto;padding:8px 32px 48px}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);margin:20px 0;padding:12px 24px 20px}
h2{font-size:19px;border-bottom:2px solid #4e79a7;padding-bottom:6px}h3{font-size:15px;margin:18px 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:12px 18px;min-width:150px}
.card b{display:block;font-size:22px}.card span{color:#5b6472;font-size:13px}
table{border-collapse:collapse;font-size:12.5px;margin:4px 0 8px;display:block;overflow-x:auto;max-width:100%}
th,td{padding:4px 8px;border-bottom:1px solid #e4e7eb;text-align:left;white-space:nowrap;max-width:520px;overflow:hidden;text-overflow:ellipsis}
th{background:#eef1f5}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:block}section{overflow-x:auto}
svg.chart{display:block;width:100%;min-width:560px;height:auto;margin:8px 0}
@media (max-width:700px){main{padding:8px 10px 32px}section{padding:10px 12px}svg.chart{min-width:760px}}svg.heat{display:block;max-width:100%;height:auto}
.multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(560px,100%),1fr));gap:12px}
details summary{cursor:pointer;color:#4e79a7;font-size:13px;margin:4px 0}
.answer p{font-size:15px;line-height:1.5;margin:6px 0}
svg .t{font-size:14px;font-weight:600;fill:#1d2330}svg .l,svg .x,svg .y{font-size:11px;fill:#3b4350}svg .s{font-size:9px;fill:#3b4350}
.note{color:#5b6472;font-size:13px}
)";

std::string section(const std::string& id, const std::string& title, const std::string& body) {
    return "<section id=\"" + id + "\"><h2>" + xml_escape(title) + "</h2>\n" + body + "</section>\n";
}

std::string card(const std::string& value, const std::string& what) {
    return "<div class=\"card\"><b>" + xml_escape(value) + "</b><span>" + xml_escape(what) + "</span></div>";
}

std::string number(double v, const char* f = "%.0f") {
    char buf[32];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string bytes_label(double v) { return human_bytes(v); }

std::string sizes_section(const image_catalog& catalog) {
    const auto& images = catalog.images();
    const auto all = size_groups(images, {});
    std::string body = "<div class=\"charts\">";
    if (!all.empty()) {
        body += svg_histogram(all[0].image_bytes_histogram, "Image size (compressed, log scale)", bytes_label);
        body += svg_histogram(all[0].layer_bytes_histogram, "Layer size (each layer once, log scale)", bytes_label);
    }
    const auto by_year = size_groups(images, {"year"});
    line_series median{"median image size", {}, {}}, p90{"p90 image size", {}, {}};
    for (const auto& g : by_year) {
        if (g.key.at("year") == "unknown") continue;
        const auto year = g.key.at("year") + " (" + std::to_string(g.images) + ")";  // with its image count
        median.x.push_back(year);
        median.y.push_back(g.image_bytes.percentiles.at(50));
        p90.x.push_back(year);
        p90.y.push_back(g.image_bytes.percentiles.at(90));
    }
    if (!median.y.empty())
        body += svg_line_chart({median, p90}, "Image size by year built (images that year in brackets)", bytes_label, true);
    body += "</div>";
    body += render_html(sizes_table(size_groups(images, {"registry"})));
    body += render_html(sizes_table(by_year));
    return section("sizes", "Image and layer sizes", body);
}

std::string trends_section(const image_catalog& catalog) {
    auto trends = repository_trends(catalog.images());
    if (trends.empty()) return "";
    std::stable_sort(trends.begin(), trends.end(), [](const auto& a, const auto& b) { return a.tags.size() > b.tags.size(); });
    std::string body = "<p class=\"note\">One chart per repository (those with the most tags): its tags in version "
                       "order (semver-aware, then by build time). Hover a point for its tag and size.</p><div class=\"multiples\">";
    for (std::size_t i = 0; i < trends.size() && i < 6; ++i) {
        line_series s{"size", {}, {}};
        for (const auto& t : trends[i].tags) s.x.push_back(t.tag), s.y.push_back(static_cast<double>(t.bytes));
        body += svg_line_chart({s}, trends[i].repository, bytes_label, true, 600);
    }
    body += "</div>";
    if (trends.size() > 6) body += "<p class=\"note\">" + std::to_string(trends.size() - 6) + " more repositories in the table.</p>";
    body += render_html(trends_table(trends));
    return section("trends", "Sizes across tags", body);
}

std::string reuse_section(const reuse_summary& r) {
    std::vector<std::pair<std::string, double>> bars;
    for (const auto& b : r.buckets) bars.emplace_back("used by " + b.name + " image(s)", static_cast<double>(b.layers));
    std::string body = svg_bars(bars, "Layers by number of images using them", [](double v) { return number(v); });
    body += render_html(reuse_summary_table(r)) + render_html(reuse_buckets_table(r)) + render_html(shared_layers_table(r));
    return section("reuse", "Layer reuse", body);
}

std::string similarity_section(const image_catalog& catalog, std::size_t heatmap_max) {
    const auto& all = catalog.images();
    if (all.size() < 2) return "";
    const std::vector<image> shown(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(heatmap_max, all.size())));
    const auto s = image_similarity(shown);
    std::string body = "<p class=\"note\">Jaccard similarity of layer-digest sets, rows and columns ordered by "
                       "average-linkage clustering; the strip at the left marks clusters (cut at distance " +
                       number(s.cut, "%.2f") + "). Mean similarity between distinct images: by digest " +
                       number(s.mean_by_digest, "%.4f") + ", by build step " + number(s.mean_by_content, "%.4f") + ".";
    if (shown.size() < all.size())
        body += " The heatmap shows the first " + std::to_string(shown.size()) + " of " + std::to_string(all.size()) +
                " images; `strata analyze neighbours` covers them all.";
    body += "</p>";
    body += svg_heatmap(s.names, s.tree.order, [&](std::size_t i, std::size_t j) { return s.by_digest.at(i, j); },
                        s.clusters, "Image similarity (layer digests)");
    body += render_html(clusters_table(s)) + render_html(similar_pairs_table(s, 20));
    return section("similarity", "Image similarity", body);
}

std::string hygiene_section(const image_catalog& catalog) {
    const auto h = dockerfile_hygiene(catalog.images(), 15);
    std::string body = render_html(hygiene_summary_table(h));
    body += render_html(layers_table("Biggest layers and the steps that made them", h.biggest));
    body += render_html(layers_table("Biggest package installs that keep their caches", h.uncleaned));
    return section("hygiene", "Dockerfile hygiene", body);
}

std::string pulls_section(const std::vector<pull_observation>& pulls, const std::vector<std::string>& group_by) {
    const auto groups = pull_times(pulls, group_by);
    std::vector<box> boxes;
    for (const auto& g : groups) {
        if (!g.seconds.count) continue;
        const auto& p = g.seconds.percentiles;
        boxes.push_back({key_text(g.key), p.at(5), p.at(25), p.at(50), p.at(75), p.at(95), g.seconds.max, g.seconds.count});
    }
    std::string body = svg_box_plots(boxes, "Pull duration per group", "s");
    body += render_html(pull_times_table(groups));
    return section("pulls", "Pull times", body);
}

std::string cost_section(const std::vector<pull_observation>& pulls, const std::vector<std::string>& group_by,
                         const price_table& prices) {
    const auto groups = pull_costs(pulls, group_by, prices);
    std::vector<std::pair<std::string, double>> bars;
    for (const auto& g : groups) bars.emplace_back(key_text(g.key), g.cost);
    std::string body = svg_bars(bars, "Money spent waiting on pulls (" + prices.currency + ")",
                                [](double v) { return number(v, "%.2f"); });
    body += render_html(costs_table(groups, prices));
    return section("cost", "Cost", body);
}

std::string simulation_section(const std::vector<sim_result>& results, const trace* t, const price_table* prices) {
    std::string body = "<p class=\"note\">Each point replays the whole trace through one topology, policy and "
                       "capacity. Belady and Belady-size know the future: no policy can beat them.</p>";
    if (t) body += render_html(trace_summary_table(*t));
    body += "<div class=\"charts\">" + sim_curves_svg(results) + "</div>";
    body += render_html(sim_results_table(results, prices ? prices->currency : "USD"), 20);
    return section("simulation", "Caching strategies", body);
}

std::string seconds_text(double s) { return s < 120 ? number(s, "%.1f s") : number(s / 60, "%.1f min"); }

std::string image_sentences(const image_catalog& catalog, const reuse_summary& r) {
    const auto& images = catalog.images();
    const auto all = size_groups(images, {});
    const auto& sizes = all[0].image_bytes.percentiles;
    const auto biggest = std::max_element(images.begin(), images.end(),
                                          [](const auto& a, const auto& b) { return a.total_bytes() < b.total_bytes(); });
    auto out = "<p>" + std::to_string(images.size()) + " images: half are under " + human_bytes(sizes.at(50)) +
               " compressed and one in ten is over " + human_bytes(sizes.at(90)) + "; the largest is " +
               xml_escape(biggest->name()) + " at " + human_bytes(static_cast<double>(biggest->total_bytes())) + ".</p>";
    out += "<p>They share layers: pulling each image once moves " + human_bytes(static_cast<double>(r.referenced_bytes)) +
           ", but a cache that keeps each layer once holds " + human_bytes(static_cast<double>(r.unique_bytes)) +
           ": sharing saves " + human_bytes(static_cast<double>(r.bytes_saved)) + " (" + number(r.dedup_ratio, "%.1f×") + ").";
    if (!r.top.empty() && r.top[0].images > 1)
        out += " The most shared layer is in " + std::to_string(r.top[0].images) + " images.";
    return out + "</p>";
}

std::string pull_sentences(const report_inputs& in) {
    const auto overall = pull_times(*in.pulls, {});
    if (overall.empty() || !overall[0].seconds.count) return "";
    const auto& p = overall[0].seconds.percentiles;
    auto out = "<p>" + std::to_string(overall[0].pulls) + " pulls took " + seconds_text(p.at(50)) + " at the median and " +
               seconds_text(p.at(90)) + " at p90";
    auto groups = pull_times(*in.pulls, in.pull_group_by);
    std::erase_if(groups, [](const auto& g) { return !g.seconds.count; });
    if (groups.size() > 1) {
        const auto [fast, slow] = std::minmax_element(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
            return a.seconds.percentiles.at(50) < b.seconds.percentiles.at(50);
        });
        out += "; the slowest group, " + xml_escape(key_text(slow->key)) + ", " + seconds_text(slow->seconds.percentiles.at(50)) +
               " at the median, against " + seconds_text(fast->seconds.percentiles.at(50)) + " for " + xml_escape(key_text(fast->key));
    }
    out += ".";
    if (in.prices) {
        const auto costs = pull_costs(*in.pulls, in.pull_group_by, *in.prices);
        double total = 0, hours = 0;
        const cost_group* top = nullptr;
        for (const auto& c : costs) {
            total += c.cost, hours += c.pull_seconds / 3600;
            if (!top || c.cost > top->cost) top = &c;
        }
        out += " Nodes spent " + number(hours, "%.1f h") + " waiting on pulls, " + xml_escape(in.prices->currency) + " " +
               number(total, "%.2f") + " at list price";
        if (top && costs.size() > 1) out += ", most of it in " + xml_escape(key_text(top->key)) + " (" + number(top->cost, "%.2f") + ")";
        out += ".";
    }
    return out + "</p>";
}

// The pulls replayed through no cache and through one strata cache that holds everything they
// pulled, under the default network model: what such a cache would have saved.
std::string simulated_sentence(const report_inputs& in) {
    const auto t = trace_from_pulls(*in.pulls, *in.images);
    if (t.requests.empty()) return "";
    std::vector<bool> requested(t.object_sizes.size());
    std::uint64_t working_set = 0;
    for (const auto& r : t.requests)
        if (!requested[r.object]) requested[r.object] = true, working_set += t.object_sizes[r.object];
    const auto next = next_uses(t);
    sim_config none{.topo = topology::none};
    sim_config proxy{.topo = topology::proxy, .policy = *parse_sim_policy("lru"), .capacity = working_set};
    const auto before = simulate(t, none, in.prices, next), after = simulate(t, proxy, in.prices, next);
    const network_model net;
    auto out = "<p>Replayed through a strata cache of " + human_bytes(static_cast<double>(working_set)) +
               " (everything these nodes pulled; LRU), under the default network model (" +
               human_bytes(net.upstream_bps) + "/s per node from the registry, " + human_bytes(net.proxy_bps) +
               "/s to strata), the pulls would have taken " + number(after.pull_seconds / 3600, "%.1f h") + " instead of " +
               number(before.pull_seconds / 3600, "%.1f h") + " of node time, and the registry would have sent " +
               human_bytes(static_cast<double>(after.egress_bytes)) + " instead of " +
               human_bytes(static_cast<double>(before.egress_bytes));
    if (in.prices)
        out += "; waiting would have cost " + number(after.cost_waiting, "%.2f") + " instead of " + number(before.cost_waiting, "%.2f");
    return out + ". (<code>strata simulate</code> compares other sizes and policies.)</p>";
}

std::string answer_section(const report_inputs& in, const std::optional<reuse_summary>& reuse) {
    std::string body;
    const bool images = in.images && !in.images->images().empty();
    const bool pulls = in.pulls && !in.pulls->empty();
    if (images) body += image_sentences(*in.images, *reuse);
    if (pulls) body += pull_sentences(in);
    if (images && pulls) body += simulated_sentence(in);
    if (body.empty()) return "";
    return section("answer", "What the data says", "<div class=\"answer\">" + body + "</div>");
}

std::string summary_cards(const report_inputs& in, const std::optional<reuse_summary>& reuse) {
    std::string cards = "<div class=\"cards\">";
    if (reuse) {
        const auto& r = *reuse;
        cards += card(std::to_string(r.images), "images") + card(std::to_string(r.unique_layers), "distinct layers") +
                 card(human_bytes(static_cast<double>(r.unique_bytes)), "distinct layer bytes") +
                 card(number(r.dedup_ratio, "%.2f×"), "dedup ratio");
    }
    if (in.pulls) {
        std::size_t pulled = 0;
        double seconds = 0;
        for (const auto& p : *in.pulls)
            if (!p.already_present) ++pulled, seconds += p.seconds.value_or(0);
        cards += card(std::to_string(pulled), "pulls") + card(number(seconds / 3600, "%.2f h"), "node time pulling");
    }
    return cards + "</div>";
}

}  // namespace

std::string render_report(const report_inputs& in) {
    std::optional<reuse_summary> reuse;
    if (in.images) reuse = layer_reuse(in.images->images(), 20);
    std::string body;
    for (const auto& s : in.lead) body += section(s.id, s.title, s.html);
    body += answer_section(in, reuse) + summary_cards(in, reuse);
    std::string inputs;
    if (in.images) inputs += render_html(image_import_table(*in.images));
    if (in.event_counts) inputs += render_html(event_import_table(*in.event_counts));
    if (!inputs.empty()) body += section("inputs", "Inputs", inputs);
    if (in.images && !in.images->images().empty()) {
        body += sizes_section(*in.images) + trends_section(*in.images);
        body += reuse_section(*reuse);
        body += similarity_section(*in.images, in.heatmap_max) + hygiene_section(*in.images);
    }
    if (in.pulls && !in.pulls->empty()) {
        body += pulls_section(*in.pulls, in.pull_group_by);
        if (in.prices) body += cost_section(*in.pulls, in.pull_group_by, *in.prices);
    }
    if (in.simulation && !in.simulation->empty()) body += simulation_section(*in.simulation, in.simulated_trace, in.prices);
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + xml_escape(in.title) +
           "</title><style>" + style + "</style></head><body><header><h1>" + xml_escape(in.title) + "</h1><p>" +
           xml_escape(in.generated_at) + "</p></header><main>\n" + body + "</main></body></html>\n";
}

}  // namespace strata::analytics

// analysis_runner: each analysis's tables and JSON document.
#include "analytics/analyses/analysis_runner.hpp"

#include <stdexcept>

namespace strata::analytics {
namespace {

using json = nlohmann::json;

analysis_output sizes(const analysis_request& r, const image_stream& images) {
    size_groups_builder builder(r.group_by);
    images([&](const image& img) { builder.add(img); });
    const auto groups = std::move(builder).finish();
    return {{sizes_table(groups)}, {{"groups", to_json(groups)}}};
}

analysis_output trends(const image_stream& images) {
    repository_trends_builder builder;
    images([&](const image& img) { builder.add(img); });
    auto table = trends_table(std::move(builder).finish());
    auto rows = render_json(table);
    return {{std::move(table)}, {{"tags", std::move(rows)}}};
}

analysis_output reuse(const analysis_request& r, const image_stream& images) {
    layer_reuse_builder builder;
    images([&](const image& img) { builder.add(img); });
    const auto summary = std::move(builder).finish(r.top);
    std::vector<result_table> tables{shared_layers_table(summary), reuse_summary_table(summary),
                                     reuse_buckets_table(summary)};
    json doc = render_json(tables[1])[0];
    doc["buckets"] = render_json(tables[2]);
    doc["top"] = render_json(tables[0]);
    return {std::move(tables), std::move(doc)};
}

// Every image of the stream, without its history unless the analysis compares build steps.
std::vector<image> collect(const image_stream& images, bool with_history) {
    std::vector<image> out;
    images([&](const image& img) {
        out.push_back(img);
        if (!with_history) out.back().history = {};
    });
    return out;
}

analysis_output similarity(const analysis_request& r, const std::vector<image>& images) {
    if (images.size() > max_dense_similarity_images)
        throw std::invalid_argument("similarity compares every pair and takes at most " +
                                    std::to_string(max_dense_similarity_images) + " images (here " +
                                    std::to_string(images.size()) + "): use `neighbours`, the top-k search");
    const auto s = image_similarity(images, r.by, r.cut);
    return {{similar_pairs_table(s, r.top), clusters_table(s)}, to_json(s)};
}

analysis_output neighbours(const analysis_request& r, const std::vector<image>& images) {
    const auto n = images.size();
    if (r.k > 0 && n > max_neighbour_pairs / r.k)
        throw std::invalid_argument("neighbours keeps at most " + std::to_string(max_neighbour_pairs) +
                                    " pairs: with " + std::to_string(n) + " images, k can be at most " +
                                    std::to_string(max_neighbour_pairs / n));
    const auto result = image_neighbours(images, r.by, r.k, r.cut);
    return {{neighbours_table(result), graph_clusters_table(result, r.top)}, to_json(result)};
}

analysis_output hygiene(const analysis_request& r, const image_stream& images) {
    hygiene_builder builder(r.top);
    images([&](const image& img) { builder.add(img); });
    const auto h = std::move(builder).finish();
    std::vector<result_table> tables{hygiene_summary_table(h), layers_table("Biggest layers", h.biggest),
                                     layers_table("Biggest package installs that keep their caches", h.uncleaned)};
    json doc = render_json(tables[0])[0];
    doc["layers_per_image"] = to_json(h.layers_per_image);
    doc["biggest"] = render_json(tables[1]);
    doc["uncleaned"] = render_json(tables[2]);
    return {std::move(tables), std::move(doc)};
}

analysis_output bases(const analysis_request& r, const std::vector<image>& images) {
    const auto& repos = r.base_repositories.empty() ? default_base_repositories() : r.base_repositories;
    const auto result = base_images(images, repos);
    std::vector<result_table> tables{image_bases_table(result), base_families_table(result)};
    json doc = {{"known_bases", result.known_bases}, {"images", result.images}, {"without_base", result.without_base},
                {"share_without_base", result.share_without_base}, {"base_repositories", repos}};
    doc["families"] = render_json(tables[1]);
    doc["per_image"] = render_json(tables[0]);
    return {std::move(tables), std::move(doc)};
}

analysis_output pulls_analysis(const analysis_request& r, const std::vector<pull_observation>& pulls) {
    const auto groups = pull_times(pulls, r.group_by);
    auto table = pull_times_table(groups);
    auto doc = json::array();
    for (const auto& g : groups)
        doc.push_back({{"group", g.key}, {"pulls", g.pulls}, {"already_present", g.already_present},
                       {"nodes", g.nodes}, {"images", g.images}, {"seconds", to_json(g.seconds)},
                       {"bytes", g.bytes}, {"sized_pulls", g.sized_pulls},
                       {"size_seconds_correlation", g.size_correlation}});
    return {{std::move(table)}, {{"groups", std::move(doc)}}};
}

analysis_output cost(const analysis_request& r, const std::vector<pull_observation>& pulls) {
    if (!r.prices) throw std::invalid_argument("cost needs a price table (--prices FILE)");
    auto table = costs_table(pull_costs(pulls, r.group_by, *r.prices), *r.prices);
    auto rows = render_json(table);
    return {{std::move(table)}, {{"currency", r.prices->currency}, {"groups", std::move(rows)}}};
}

}  // namespace

const std::vector<std::string>& analysis_names() {
    static const std::vector<std::string> names = {"sizes", "trends", "reuse", "similarity", "neighbours", "hygiene", "bases", "pulls", "cost"};
    return names;
}

similarity_basis parse_similarity_basis(const std::string& text) {
    if (text == "digest") return similarity_basis::digest;
    if (text == "content") return similarity_basis::content;
    throw std::invalid_argument("similarity basis: digest or content, not '" + text + "'");
}

analysis_output run_analysis(const analysis_request& r, const image_catalog& images,
                             const std::vector<pull_observation>& pulls) {
    if (r.name == "similarity") return similarity(r, images.images());
    if (r.name == "neighbours") return neighbours(r, images.images());
    if (r.name == "bases") return bases(r, images.images());
    const image_stream stream = [&](const image_visitor& visit) {
        for (const auto& img : images.images()) visit(img);
    };
    return run_analysis(r, stream, pulls);
}

analysis_output run_analysis(const analysis_request& r, const image_stream& images,
                             const std::vector<pull_observation>& pulls) {
    // similarity prints both bases' numbers whatever it clusters by; neighbours only its own.
    const bool with_history = r.name == "similarity" || r.by == similarity_basis::content;
    if (r.name == "sizes") return sizes(r, images);
    if (r.name == "trends") return trends(images);
    if (r.name == "reuse") return reuse(r, images);
    if (r.name == "similarity") return similarity(r, collect(images, with_history));
    if (r.name == "neighbours") return neighbours(r, collect(images, with_history));
    if (r.name == "hygiene") return hygiene(r, images);
    if (r.name == "bases") return bases(r, collect(images, false));
    if (r.name == "pulls") return pulls_analysis(r, pulls);
    if (r.name == "cost") return cost(r, pulls);
    throw std::invalid_argument("unknown analysis '" + r.name + "'");
}

}  // namespace strata::analytics

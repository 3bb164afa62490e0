// analysis_tables: column choices for each analysis; raw values, rendering is result_table's.
#include "analytics/analyses/analysis_tables.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace strata::analytics {
namespace {

double pct(const distribution& d, int p) {
    const auto it = d.percentiles.find(p);
    return it == d.percentiles.end() ? 0.0 : it->second;
}

std::string date_text(const std::optional<std::int64_t>& t) {
    if (!t) return "";
    const std::time_t s = *t;
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

template <typename Integer>
double num(Integer v) {
    return static_cast<double>(v);
}

}  // namespace

std::string key_text(const label_set& key) {
    std::string out;
    for (const auto& [k, v] : key) out += (out.empty() ? "" : " ") + k + "=" + v;
    return out.empty() ? "all" : out;
}

result_table sizes_table(const std::vector<size_group>& groups) {
    result_table t{"Image sizes",
                   {{"group"}, {"images", unit::count}, {"image_p50", unit::bytes}, {"image_p90", unit::bytes},
                    {"image_p95", unit::bytes}, {"image_max", unit::bytes}, {"image_mean", unit::bytes},
                    {"layers_p50", unit::count}, {"layers_max", unit::count}, {"layer_p50", unit::bytes},
                    {"layer_p95", unit::bytes}, {"layer_max", unit::bytes}},
                   {}};
    for (const auto& g : groups)
        t.add_row({key_text(g.key), num(g.images), pct(g.image_bytes, 50), pct(g.image_bytes, 90),
                   pct(g.image_bytes, 95), g.image_bytes.max, g.image_bytes.mean, pct(g.layer_count, 50),
                   g.layer_count.max, pct(g.layer_bytes, 50), pct(g.layer_bytes, 95), g.layer_bytes.max});
    return t;
}

result_table trends_table(const std::vector<repository_trend>& trends) {
    result_table t{"Sizes across each repository's tags, in version order",
                   {{"repository"}, {"tag"}, {"created"}, {"bytes", unit::bytes}, {"layers", unit::count}},
                   {}};
    for (const auto& r : trends)
        for (const auto& tag : r.tags)
            t.add_row({r.repository, tag.tag, date_text(tag.created_s), num(tag.bytes), num(tag.layers)});
    return t;
}

result_table reuse_summary_table(const reuse_summary& r) {
    result_table t{"Layer sharing",
                   {{"images", unit::count}, {"layer_references", unit::count}, {"unique_layers", unit::count},
                    {"referenced_bytes", unit::bytes}, {"unique_bytes", unit::bytes}, {"bytes_saved", unit::bytes},
                    {"dedup_ratio", unit::ratio}},
                   {}};
    t.add_row({num(r.images), num(r.layer_references), num(r.unique_layers), num(r.referenced_bytes),
               num(r.unique_bytes), num(r.bytes_saved), r.dedup_ratio});
    return t;
}

result_table reuse_buckets_table(const reuse_summary& r) {
    result_table t{"Layers by how many images use them",
                   {{"used_by_images"}, {"layers", unit::count}, {"bytes", unit::bytes}}, {}};
    for (const auto& b : r.buckets) t.add_row({b.name, num(b.layers), num(b.bytes)});
    return t;
}

result_table shared_layers_table(const reuse_summary& r) {
    result_table t{"Most shared layers",
                   {{"digest"}, {"size", unit::bytes}, {"images", unit::count}, {"repositories", unit::count},
                    {"example"}},
                   {}};
    for (const auto& l : r.top) t.add_row({l.digest, num(l.size), num(l.images), num(l.repositories), l.example});
    return t;
}

result_table hygiene_summary_table(const hygiene_summary& h) {
    result_table t{"Dockerfile hygiene",
                   {{"images", unit::count}, {"with_history", unit::count}, {"layer_steps", unit::count},
                    {"install_steps", unit::count}, {"uncleaned_installs", unit::count},
                    {"uncleaned_share", unit::ratio}, {"layers_p50", unit::count}, {"layers_p95", unit::count},
                    {"layers_max", unit::count}},
                   {}};
    t.add_row({num(h.images), num(h.images_with_history), num(h.layer_steps), num(h.install_steps),
               num(h.uncleaned_install_steps), h.uncleaned_share, pct(h.layers_per_image, 50),
               pct(h.layers_per_image, 95), h.layers_per_image.max});
    return t;
}

namespace {

const char* manager_name(package_manager m) {
    switch (m) {
    case package_manager::apt: return "apt";
    case package_manager::yum: return "yum/dnf";
    case package_manager::apk: return "apk";
    case package_manager::none: break;
    }
    return "";
}

result_table dockerfile_summary_table(const dockerfile_survey_result& r) {
    result_table t{"Dockerfiles",
                   {{"repositories", unit::count}, {"with_dockerfile", unit::count}, {"share", unit::ratio},
                    {"dockerfiles", unit::count}, {"unreadable", unit::count}, {"stages", unit::count},
                    {"from_images", unit::count}, {"scratch", unit::count}, {"stage_refs", unit::count},
                    {"unresolved", unit::count}, {"invalid", unit::count}, {"install_steps", unit::count},
                    {"uncleaned_installs", unit::count}, {"uncleaned_share", unit::ratio}},
                   {}};
    t.add_row({num(r.repositories), num(r.repositories_with_dockerfile), r.share_with_dockerfile, num(r.dockerfiles),
               num(r.unreadable), num(r.stages), num(r.from_images), num(r.from_scratch), num(r.from_stages),
               num(r.unresolved), num(r.invalid), num(r.install_steps), num(r.uncleaned_install_steps),
               r.uncleaned_share});
    return t;
}

}  // namespace

result_table image_bases_table(const base_image_result& r) {
    result_table t{"Base image of each image",
                   {{"image"}, {"platform"}, {"base"}, {"family"}, {"base_layers", unit::count},
                    {"layers", unit::count}, {"added_bytes", unit::bytes}},
                   {}};
    for (const auto& b : r.per_image)
        t.add_row({b.img->name(), b.img->platform, b.base ? b.base->name() : "", b.base ? base_family(*b.base) : "",
                   num(b.base_layers), num(b.img->layers.size()), num(b.added_bytes)});
    return t;
}

result_table base_families_table(const base_image_result& r) {
    result_table t{"Base image families (" + std::to_string(r.known_bases) + " known bases" +
                       (r.known_bases ? ")" : ": crawl the base repositories' tags first, e.g. strata analyze crawl "
                                              "--all-tags docker.io/library/debian)"),
                   {{"family"}, {"images", unit::count}, {"share", unit::ratio}},
                   {}};
    for (const auto& f : r.families) t.add_row({f.family, num(f.images), f.share});
    t.add_row({"(no known base)", num(r.without_base), r.share_without_base});
    return t;
}

std::vector<result_table> dockerfile_survey_tables(const dockerfile_survey_result& r) {
    std::vector<result_table> out{dockerfile_summary_table(r)};
    auto& bases = out.emplace_back(result_table{
        "Base images",
        {{"image"}, {"repositories", unit::count}, {"dockerfiles", unit::count}, {"final_stage", unit::count}},
        {}});
    for (const auto& b : r.bases) bases.add_row({b.reference, num(b.repositories), num(b.dockerfiles), num(b.final_stage)});
    auto& unusable = out.emplace_back(result_table{
        "FROM lines naming no image", {{"file"}, {"line", unit::count}, {"from"}, {"why"}}, {}});
    for (const auto& u : r.unusable) unusable.add_row({u.file, num(u.line), u.written, u.why});
    auto& vars = out.emplace_back(result_table{"Variables without a value", {{"variable"}, {"uses", unit::count}}, {}});
    for (const auto& [name, n] : r.unresolved_variables) vars.add_row({name, num(n)});
    auto& uncleaned = out.emplace_back(result_table{
        "Package installs that leave their cache", {{"file"}, {"line", unit::count}, {"manager"}, {"command"}}, {}});
    for (const auto& u : r.uncleaned) uncleaned.add_row({u.file, num(u.line), manager_name(u.manager), u.command});
    if (!r.unreadable_files.empty()) {
        auto& unreadable = out.emplace_back(result_table{"Unreadable files", {{"file"}}, {}});
        for (const auto& f : r.unreadable_files) unreadable.add_row({f});
    }
    return out;
}

nlohmann::json to_json(const neighbours_result& r) {
    nlohmann::json images = nlohmann::json::array();
    for (std::size_t i = 0; i < r.names.size(); ++i) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& n : r.top.of[i]) list.push_back({n.image, n.similarity()});
        images.push_back({{"name", r.names[i]}, {"cluster", r.clusters.label[i]}, {"neighbours", std::move(list)}});
    }
    return {{"k", r.top.k}, {"basis", r.basis == similarity_basis::digest ? "digest" : "content"},
            {"cut", r.cut}, {"clusters", r.clusters.clusters}, {"verified_pairs", r.top.verified_pairs},
            {"images", std::move(images)}};
}

nlohmann::json to_json(const dockerfile_survey_result& r) {
    nlohmann::json j = render_json(dockerfile_summary_table(r))[0];
    j["bases"] = nlohmann::json::array();
    for (const auto& b : r.bases)
        j["bases"].push_back({{"image", b.reference}, {"repositories", b.repositories}, {"dockerfiles", b.dockerfiles},
                              {"final_stage", b.final_stage}});
    j["unusable_from"] = nlohmann::json::array();
    for (const auto& u : r.unusable)
        j["unusable_from"].push_back({{"file", u.file}, {"line", u.line}, {"from", u.written}, {"why", u.why}});
    j["unresolved_variables"] = nlohmann::json::object();
    for (const auto& [name, n] : r.unresolved_variables) j["unresolved_variables"][name] = n;
    j["uncleaned_installs"] = nlohmann::json::array();
    for (const auto& u : r.uncleaned)
        j["uncleaned_installs"].push_back(
            {{"file", u.file}, {"line", u.line}, {"manager", manager_name(u.manager)}, {"command", u.command}});
    j["unreadable_files"] = r.unreadable_files;
    j["copy_from_images"] = r.copy_from_images;
    j["unterminated_heredocs"] = r.unterminated_heredocs;
    j["run_steps"] = r.run_steps;
    j["distinct_images"] = r.references.size();
    return j;
}

result_table layers_table(const std::string& title, const std::vector<layer_with_step>& layers) {
    result_table t{title, {{"size", unit::bytes}, {"image"}, {"digest"}, {"created_by"}}, {}};
    for (const auto& l : layers) t.add_row({num(l.size), l.image, l.digest, l.created_by});
    return t;
}

result_table clusters_table(const similarity_result& s) {
    result_table t{"Clusters (average linkage, cut at distance " + std::to_string(s.cut).substr(0, 4) + ")",
                   {{"cluster", unit::count}, {"images", unit::count}, {"members"}}, {}};
    std::vector<std::vector<std::string>> members;
    for (const auto i : s.tree.order) {
        const auto label = s.clusters[i];
        if (members.size() < label) members.resize(label);
        members[label - 1].push_back(s.names[i]);
    }
    for (std::size_t c = 0; c < members.size(); ++c) {
        std::string list;
        for (const auto& m : members[c]) list += (list.empty() ? "" : " ") + m;
        t.add_row({num(c + 1), num(members[c].size()), list});
    }
    return t;
}

result_table neighbours_table(const neighbours_result& r) {
    result_table t{"Most similar images (top " + std::to_string(r.top.k) + " of each, by " +
                       (r.basis == similarity_basis::digest ? "layer digest" : "build step") + ")",
                   {{"image"}, {"rank", unit::count}, {"neighbour"}, {"jaccard", unit::ratio}, {"shared", unit::count}},
                   {}};
    for (std::size_t i = 0; i < r.top.of.size(); ++i)
        for (std::size_t rank = 0; rank < r.top.of[i].size(); ++rank) {
            const auto& n = r.top.of[i][rank];
            t.add_row({r.names[i], num(rank + 1), r.names[n.image], n.similarity(), num(n.shared)});
        }
    return t;
}

result_table graph_clusters_table(const neighbours_result& r, std::size_t limit) {
    result_table t{"Largest clusters of the neighbour graph (average linkage, cut at distance " +
                       std::to_string(r.cut).substr(0, 4) + "; " + std::to_string(r.clusters.clusters) + " clusters)",
                   {{"cluster", unit::count}, {"images", unit::count}, {"members"}}, {}};
    std::vector<std::vector<std::size_t>> members(r.clusters.clusters);
    for (std::size_t i = 0; i < r.clusters.label.size(); ++i) members[r.clusters.label[i] - 1].push_back(i);
    std::vector<std::size_t> order(members.size());
    for (std::size_t c = 0; c < order.size(); ++c) order[c] = c;
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return members[a].size() > members[b].size(); });
    for (std::size_t c = 0; c < order.size() && c < limit; ++c) {
        const auto& m = members[order[c]];
        std::string list;
        for (std::size_t i = 0; i < m.size() && i < 10; ++i) list += (list.empty() ? "" : " ") + r.names[m[i]];
        if (m.size() > 10) list += " …";
        t.add_row({num(order[c] + 1), num(m.size()), list});
    }
    return t;
}

result_table similar_pairs_table(const similarity_result& s, std::size_t limit) {
    result_table t{"Most similar image pairs",
                   {{"image_a"}, {"image_b"}, {"jaccard_digest", unit::ratio}, {"jaccard_content", unit::ratio}},
                   {}};
    const auto& basis = s.clustered_on == similarity_basis::digest ? s.by_digest : s.by_content;
    const auto n = basis.size();
    std::vector<std::pair<float, std::size_t>> ranked;
    for (std::size_t k = 0; k < basis.values().size(); ++k)
        if (basis.values()[k] > 0) ranked.emplace_back(basis.values()[k], k);
    const auto keep = std::min(limit, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep), ranked.end(),
                      [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    for (std::size_t r = 0; r < keep; ++r) {
        // Invert the condensed index: row i holds n - 1 - i entries.
        std::size_t i = 0, k = ranked[r].second;
        while (k >= n - 1 - i) k -= n - 1 - i, ++i;
        const auto j = i + 1 + k;
        t.add_row({s.names[i], s.names[j], static_cast<double>(s.by_digest.at(i, j)),
                   static_cast<double>(s.by_content.at(i, j))});
    }
    return t;
}

result_table pull_times_table(const std::vector<pull_time_group>& groups) {
    result_table t{"Pull times",
                   {{"group"}, {"pulls", unit::count}, {"already_present", unit::count}, {"nodes", unit::count},
                    {"images", unit::count}, {"p50_s", unit::seconds}, {"p90_s", unit::seconds},
                    {"p99_s", unit::seconds}, {"max_s", unit::seconds}, {"total_s", unit::seconds},
                    {"bytes", unit::bytes}, {"r_size_time", unit::ratio}},
                   {}};
    for (const auto& g : groups)
        t.add_row({key_text(g.key), num(g.pulls), num(g.already_present), num(g.nodes), num(g.images),
                   pct(g.seconds, 50), pct(g.seconds, 90), pct(g.seconds, 99), g.seconds.max, g.seconds.sum,
                   num(g.bytes), g.size_correlation});
    return t;
}

result_table costs_table(const std::vector<cost_group>& groups, const price_table& prices) {
    result_table t{"Cost of waiting on pulls (" + prices.currency + ")",
                   {{"group"}, {"pulls", unit::count}, {"unpriced_pulls", unit::count},
                    {"pull_seconds", unit::seconds}, {"node_hours", unit::seconds}, {"cost", unit::money},
                    {"prices"}},
                   {}};
    for (const auto& g : groups)
        t.add_row({key_text(g.key), num(g.pulls), num(g.unpriced_pulls), g.pull_seconds, g.node_hours, g.cost,
                   g.price_names});
    return t;
}

result_table image_import_table(const image_catalog& catalog) {
    const auto& c = catalog.counts();
    result_table t{"Images read",
                   {{"files", unit::count}, {"unreadable", unit::count}, {"images", unit::count},
                    {"duplicates", unit::count}, {"index_only", unit::count}, {"invalid_manifests", unit::count},
                    {"missing_configs", unit::count}, {"invalid_configs", unit::count},
                    {"digest_mismatches", unit::count}},
                   {}};
    t.add_row({num(c.files), num(c.unreadable_files), num(c.images), num(c.duplicates), num(c.indexes_without_images),
               num(c.invalid_manifests), num(c.missing_configs), num(c.invalid_configs), num(c.digest_mismatches)});
    return t;
}

result_table event_import_table(const import_counts& c) {
    result_table t{"Events read",
                   {{"files", unit::count}, {"unreadable", unit::count}, {"damaged", unit::count},
                    {"lines", unit::count}, {"oversized_lines", unit::count},
                    {"not_json", unit::count}, {"not_events", unit::count}, {"events", unit::count},
                    {"duplicates", unit::count}, {"pulling", unit::count}, {"pulled", unit::count},
                    {"already_present", unit::count}, {"unparsed_messages", unit::count}},
                   {}};
    t.add_row({num(c.files), num(c.unreadable_files), num(c.damaged_files), num(c.lines), num(c.oversized_lines),
               num(c.not_json), num(c.not_events), num(c.events), num(c.duplicates), num(c.pulling), num(c.pulled),
               num(c.already_present), num(c.unparsed_messages)});
    return t;
}

nlohmann::json to_json(const distribution& d) {
    nlohmann::json p = nlohmann::json::object();
    for (const auto& [q, v] : d.percentiles) p[std::string("p").append(std::to_string(q))] = v;
    return {{"count", d.count}, {"sum", d.sum},     {"mean", d.mean},       {"stddev", d.stddev},
            {"min", d.min},     {"max", d.max},     {"percentiles", p}};
}

nlohmann::json to_json(const std::vector<histogram_bin>& bins) {
    auto out = nlohmann::json::array();
    for (const auto& b : bins) out.push_back({{"low", b.low}, {"high", b.high}, {"count", b.count}});
    return out;
}

nlohmann::json to_json(const std::vector<size_group>& groups) {
    auto out = nlohmann::json::array();
    for (const auto& g : groups)
        out.push_back({{"group", g.key},
                       {"images", g.images},
                       {"image_bytes", to_json(g.image_bytes)},
                       {"layer_count", to_json(g.layer_count)},
                       {"layer_bytes", to_json(g.layer_bytes)},
                       {"image_bytes_histogram", to_json(g.image_bytes_histogram)},
                       {"layer_bytes_histogram", to_json(g.layer_bytes_histogram)}});
    return out;
}

nlohmann::json to_json(const similarity_result& s) {
    auto pairs = nlohmann::json::array();
    const auto n = s.names.size();
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            const auto d = s.by_digest.at(i, j), c = s.by_content.at(i, j);
            if (d > 0 || c > 0) pairs.push_back({i, j, d, c});
        }
    auto merges = nlohmann::json::array();
    for (const auto& m : s.tree.merges) merges.push_back({m.a, m.b, m.distance, m.size});
    return {{"images", s.names},
            {"clustered_on", s.clustered_on == similarity_basis::digest ? "digest" : "content"},
            {"cut_distance", s.cut},
            {"order", s.tree.order},
            {"clusters", s.clusters},
            {"linkage", merges},
            {"mean_jaccard_digest", s.mean_by_digest},
            {"mean_jaccard_content", s.mean_by_content},
            {"pairs_columns", {"i", "j", "jaccard_digest", "jaccard_content"}},
            {"pairs", pairs}};
}

}  // namespace strata::analytics

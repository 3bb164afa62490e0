// image_sizes: grouping images and describing their sizes.
#include "analytics/analyses/image_sizes.hpp"

#include "analytics/analyses/version_order.hpp"

#include <ctime>
#include <map>
#include <set>
#include <unordered_set>

namespace strata::analytics {
namespace {

std::string year_of(const std::optional<std::int64_t>& created_s) {
    if (!created_s) return "unknown";
    const std::time_t t = *created_s;
    std::tm tm{};
    gmtime_r(&t, &tm);
    return std::to_string(tm.tm_year + 1900);
}

size_group describe_group(label_set key, const std::vector<const image*>& members) {
    size_group g{.key = std::move(key), .images = members.size()};
    std::vector<double> totals, counts, layer_sizes;
    std::unordered_set<std::string_view> seen;
    for (const auto* img : members) {
        totals.push_back(static_cast<double>(img->total_bytes()));
        counts.push_back(static_cast<double>(img->layers.size()));
        for (const auto& l : img->layers)
            if (seen.insert(l.digest).second) layer_sizes.push_back(static_cast<double>(l.size));
    }
    g.image_bytes_histogram = log_histogram(totals);
    g.layer_bytes_histogram = log_histogram(layer_sizes);
    g.image_bytes = describe(std::move(totals));
    g.layer_count = describe(std::move(counts));
    g.layer_bytes = describe(std::move(layer_sizes));
    return g;
}

}  // namespace

std::string group_value(const image& img, const std::string& key) {
    if (key == "registry") return img.registry;
    if (key == "repository") return img.registry + '/' + img.repository;
    if (key == "year") return year_of(img.created_s);
    if (key == "platform") return img.platform.empty() ? "unknown" : img.platform;
    const auto it = img.labels.find(key);
    return it == img.labels.end() ? std::string() : it->second;
}

std::vector<size_group> size_groups(const std::vector<image>& images, const std::vector<std::string>& group_by) {
    std::map<label_set, std::vector<const image*>> groups;
    for (const auto& img : images) {
        label_set key;
        for (const auto& k : group_by) key[k] = group_value(img, k);
        groups[key].push_back(&img);
    }
    std::vector<size_group> out;
    for (const auto& [key, members] : groups) out.push_back(describe_group(key, members));
    return out;
}

std::vector<repository_trend> repository_trends(const std::vector<image>& images, std::size_t min_tags) {
    std::map<std::string, std::vector<const image*>> by_repo;
    std::set<std::string> seen;
    for (const auto& img : images) {
        if (img.tag.empty()) continue;
        const auto repo = img.registry + '/' + img.repository;
        if (seen.insert(repo + ':' + img.tag).second) by_repo[repo].push_back(&img);
    }
    std::vector<repository_trend> out;
    for (const auto& [repo, members] : by_repo) {
        if (members.size() < min_tags) continue;
        std::vector<tag_to_sort> keys;
        for (const auto* img : members) keys.push_back({img->tag, img->created_s});
        repository_trend trend{repo, {}};
        for (const auto i : version_sorted(keys))
            trend.tags.push_back({members[i]->tag, members[i]->created_s, members[i]->total_bytes(),
                                  members[i]->layers.size()});
        out.push_back(std::move(trend));
    }
    return out;
}

}  // namespace strata::analytics

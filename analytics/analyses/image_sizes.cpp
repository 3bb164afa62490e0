// image_sizes: grouping images and describing their sizes.
#include "analytics/analyses/image_sizes.hpp"

#include "analytics/analyses/version_order.hpp"

#include <ctime>
#include <map>

namespace strata::analytics {
namespace {

std::string year_of(const std::optional<std::int64_t>& created_s) {
    if (!created_s) return "unknown";
    const std::time_t t = *created_s;
    std::tm tm{};
    gmtime_r(&t, &tm);
    return std::to_string(tm.tm_year + 1900);
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

void size_groups_builder::add(const image& img) {
    label_set key;
    for (const auto& k : group_by_) key[k] = group_value(img, k);
    auto& g = groups_[key];
    g.totals.push_back(static_cast<double>(img.total_bytes()));
    g.counts.push_back(static_cast<double>(img.layers.size()));
    for (const auto& l : img.layers)
        if (g.seen.insert(l.digest).second) g.layer_sizes.push_back(static_cast<double>(l.size));
}

std::vector<size_group> size_groups_builder::finish() && {
    std::vector<size_group> out;
    for (auto& [key, g] : groups_) {
        size_group d{.key = key, .images = g.totals.size()};
        d.image_bytes_histogram = log_histogram(g.totals);
        d.layer_bytes_histogram = log_histogram(g.layer_sizes);
        d.image_bytes = describe(std::move(g.totals));
        d.layer_count = describe(std::move(g.counts));
        d.layer_bytes = describe(std::move(g.layer_sizes));
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<size_group> size_groups(const std::vector<image>& images, const std::vector<std::string>& group_by) {
    size_groups_builder builder(group_by);
    for (const auto& img : images) builder.add(img);
    return std::move(builder).finish();
}

void repository_trends_builder::add(const image& img) {
    if (img.tag.empty()) return;
    auto repo = img.registry + '/' + img.repository;
    if (!seen_.insert(repo + ':' + img.tag).second) return;
    by_repo_[std::move(repo)].push_back({img.tag, img.created_s, img.total_bytes(), img.layers.size()});
}

std::vector<repository_trend> repository_trends_builder::finish(std::size_t min_tags) && {
    std::vector<repository_trend> out;
    for (auto& [repo, tags] : by_repo_) {
        if (tags.size() < min_tags) continue;
        std::vector<tag_to_sort> keys;
        for (const auto& t : tags) keys.push_back({t.tag, t.created_s});
        repository_trend trend{repo, {}};
        for (const auto i : version_sorted(keys)) trend.tags.push_back(std::move(tags[i]));
        out.push_back(std::move(trend));
    }
    return out;
}

std::vector<repository_trend> repository_trends(const std::vector<image>& images, std::size_t min_tags) {
    repository_trends_builder builder;
    for (const auto& img : images) builder.add(img);
    return std::move(builder).finish(min_tags);
}

}  // namespace strata::analytics

// image_sizes: image and layer size distributions per group, and each repository's tags over time.
#pragma once

#include "analytics/analyses/distribution.hpp"
#include "analytics/inputs/image.hpp"

#include <map>
#include <string>
#include <unordered_set>
#include <vector>

namespace strata::analytics {

struct size_group {
    label_set key;                  // the grouping keys' values
    std::size_t images = 0;
    distribution image_bytes;       // total compressed size per image
    distribution layer_count;       // layers per image
    distribution layer_bytes;       // each distinct layer (by digest) in the group once
    std::vector<histogram_bin> image_bytes_histogram;  // log scale
    std::vector<histogram_bin> layer_bytes_histogram;
};

// The value of a grouping key for an image: "registry", "repository" (registry/repository),
// "year" (of config created, "unknown" without one), "platform", or a label ("" if absent).
std::string group_value(const image& img, const std::string& key);

// Groups images by the values of group_by, ordered by key; an empty group_by is one group.
std::vector<size_group> size_groups(const std::vector<image>& images, const std::vector<std::string>& group_by);

// The same, fed one image at a time: the images need not stay in memory (each group keeps its
// numbers and its distinct layer digests).
class size_groups_builder {
public:
    explicit size_groups_builder(std::vector<std::string> group_by) : group_by_(std::move(group_by)) {}
    void add(const image& img);
    std::vector<size_group> finish() &&;

private:
    struct group {
        std::vector<double> totals, counts, layer_sizes;
        std::unordered_set<std::string> seen;
    };
    std::vector<std::string> group_by_;
    std::map<label_set, group> groups_;
};

struct tag_sizes {
    std::string tag;
    std::optional<std::int64_t> created_s;
    std::uint64_t bytes = 0;
    std::size_t layers = 0;
};

// One repository's tags in version order (see version_order.hpp), for size trends.
struct repository_trend {
    std::string repository;  // registry/repository
    std::vector<tag_sizes> tags;
};

// Repositories with at least min_tags tagged images (one platform each: the first seen),
// ordered by name.
std::vector<repository_trend> repository_trends(const std::vector<image>& images, std::size_t min_tags = 2);

// The same, fed one image at a time (each repository keeps its tags' names, times and sizes).
class repository_trends_builder {
public:
    void add(const image& img);
    std::vector<repository_trend> finish(std::size_t min_tags = 2) &&;

private:
    std::map<std::string, std::vector<tag_sizes>> by_repo_;
    std::unordered_set<std::string> seen_;  // "registry/repository:tag"
};

}  // namespace strata::analytics

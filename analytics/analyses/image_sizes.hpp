// image_sizes: image and layer size distributions per group, and each repository's tags over time.
#pragma once

#include "analytics/analyses/distribution.hpp"
#include "analytics/inputs/image.hpp"

#include <string>
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

}  // namespace strata::analytics

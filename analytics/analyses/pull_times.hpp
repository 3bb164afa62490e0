// pull_times: how long nodes waited on image pulls, per group of labels.
#pragma once

#include "analytics/analyses/distribution.hpp"
#include "analytics/inputs/k8s_events.hpp"

#include <string>
#include <vector>

namespace strata::analytics {

struct pull_time_group {
    label_set key;                 // the grouping labels' values
    std::size_t pulls = 0;         // images actually pulled
    std::size_t already_present = 0;  // kubelet cache hits
    std::size_t nodes = 0, images = 0;
    distribution seconds;          // pull durations (without waiting)
    std::uint64_t bytes = 0;       // sum of reported image sizes
    std::size_t sized_pulls = 0;   // pulls whose size the kubelet reported
    // Pearson correlation of duration with image size over sized pulls; 0 with fewer than 2.
    double size_correlation = 0;
};

// The values of group_by for one observation: labels, or "image" and "node".
label_set pull_group_key(const pull_observation& p, const std::vector<std::string>& group_by);

// Groups observations by the values of group_by labels ("image" and "node" are accepted as
// keys too), ordered by key. An empty group_by gives one group over everything.
std::vector<pull_time_group> pull_times(const std::vector<pull_observation>& pulls,
                                        const std::vector<std::string>& group_by);

}  // namespace strata::analytics

// pull_times: bucket by key, then describe each bucket.
#include "analytics/analyses/pull_times.hpp"

#include <cmath>
#include <map>
#include <set>

namespace strata::analytics {
namespace {

double pearson(const std::vector<std::pair<double, double>>& xy) {
    if (xy.size() < 2) return 0;
    double mx = 0, my = 0;
    for (const auto& [x, y] : xy) mx += x, my += y;
    mx /= static_cast<double>(xy.size());
    my /= static_cast<double>(xy.size());
    double sxy = 0, sxx = 0, syy = 0;
    for (const auto& [x, y] : xy) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0;
}

}  // namespace

label_set pull_group_key(const pull_observation& p, const std::vector<std::string>& group_by) {
    label_set key;
    for (const auto& k : group_by) {
        if (k == "image") key[k] = p.image;
        else if (k == "node") key[k] = p.node;
        else if (const auto it = p.labels.find(k); it != p.labels.end()) key[k] = it->second;
        else key[k] = "";
    }
    return key;
}

std::vector<pull_time_group> pull_times(const std::vector<pull_observation>& pulls,
                                        const std::vector<std::string>& group_by) {
    struct bucket {
        pull_time_group group;
        std::vector<double> seconds;
        std::vector<std::pair<double, double>> size_and_seconds;
        std::set<std::string> nodes, images;
    };
    std::map<label_set, bucket> buckets;
    for (const auto& p : pulls) {
        auto& b = buckets[pull_group_key(p, group_by)];
        b.nodes.insert(p.node);
        b.images.insert(p.image);
        if (p.already_present) {
            ++b.group.already_present;
            continue;
        }
        ++b.group.pulls;
        if (p.seconds) b.seconds.push_back(*p.seconds);
        if (p.image_bytes) {
            b.group.bytes += *p.image_bytes;
            ++b.group.sized_pulls;
            if (p.seconds) b.size_and_seconds.emplace_back(static_cast<double>(*p.image_bytes), *p.seconds);
        }
    }
    std::vector<pull_time_group> out;
    for (auto& [key, b] : buckets) {
        b.group.key = key;
        b.group.nodes = b.nodes.size();
        b.group.images = b.images.size();
        b.group.seconds = describe(std::move(b.seconds));
        b.group.size_correlation = pearson(b.size_and_seconds);
        out.push_back(std::move(b.group));
    }
    return out;
}

}  // namespace strata::analytics

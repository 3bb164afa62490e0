// pull_cost: what waiting on image pulls cost, from a price table of node prices per hour.
#pragma once

#include "analytics/inputs/k8s_events.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analytics {

// One row of a price table: nodes whose labels include every key=value of match ("node" is
// the node's name) cost per_hour while they wait.
struct node_price {
    label_set match;
    double per_hour = 0;
    std::string name;  // e.g. the instance type, for the report
};

struct price_table {
    std::string currency = "USD";
    double egress_per_gb = 0;       // upstream transfer, for `strata simulate`
    std::vector<node_price> nodes;  // first match wins

    const node_price* price_for(const label_set& labels, const std::string& node) const;
};

// Reads the JSON form:
//   {"currency": "USD", "egress_per_gb": 0.09,
//    "nodes": [{"match": {"cloud": "aws", "node_type": "cpu"}, "per_hour": 2.88, "name": "hpc6a.48xlarge"}]}
// Throws std::invalid_argument naming what is wrong (bad JSON, wrong types, negative or
// non-finite prices, an entry without per_hour).
price_table parse_price_table(std::string_view json_text);

// Reads and parses a price table file (at most 1 MiB). Throws std::invalid_argument naming
// the file when it cannot be read, and as parse_price_table for its content.
price_table load_price_table(const std::filesystem::path& path);

struct cost_group {
    label_set key;
    std::size_t pulls = 0, unpriced_pulls = 0;  // unpriced: no price table row matched
    double pull_seconds = 0;  // every pull's duration, priced or not
    double node_hours = 0;    // priced pulls' durations in hours
    double cost = 0;          // node_hours × each pull's node price
    std::string price_names;  // the price rows used, comma-separated
};

// Sums, per group (as pull_times groups them), the node time spent pulling and its cost.
// Kubelet cache hits cost nothing.
std::vector<cost_group> pull_costs(const std::vector<pull_observation>& pulls, const std::vector<std::string>& group_by,
                                   const price_table& prices);

}  // namespace strata::analytics

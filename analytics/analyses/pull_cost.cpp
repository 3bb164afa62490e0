// pull_cost: price table parsing and per-group sums of priced pull time.
#include "analytics/analyses/pull_cost.hpp"

#include "analytics/inputs/input_stream.hpp"
#include "analytics/inputs/json_input.hpp"
#include "analytics/analyses/pull_times.hpp"

#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

namespace strata::analytics {
namespace {

using json = nlohmann::json;

double price_value(const json& obj, const char* key, const std::string& where, bool required) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
        if (required) throw std::invalid_argument(where + ": " + key + " is missing");
        return 0;
    }
    if (!it->is_number()) throw std::invalid_argument(where + ": " + key + " must be a number");
    const auto v = it->get<double>();
    if (!std::isfinite(v) || v < 0) throw std::invalid_argument(where + ": " + key + " must be finite and >= 0");
    return v;
}

node_price read_node_price(const json& entry, const std::string& where) {
    if (!entry.is_object()) throw std::invalid_argument(where + ": must be an object");
    node_price p;
    p.per_hour = price_value(entry, "per_hour", where, true);
    if (const auto m = entry.find("match"); m != entry.end()) {
        if (!m->is_object()) throw std::invalid_argument(where + ": match must be an object of strings");
        for (const auto& [k, v] : m->items()) {
            if (!v.is_string()) throw std::invalid_argument(where + ": match." + k + " must be a string");
            p.match[k] = v.get<std::string>();
        }
    }
    if (const auto n = entry.find("name"); n != entry.end()) {
        if (!n->is_string()) throw std::invalid_argument(where + ": name must be a string");
        p.name = n->get<std::string>();
    }
    return p;
}

}  // namespace

const node_price* price_table::price_for(const label_set& labels, const std::string& node) const {
    for (const auto& p : nodes) {
        bool all = true;
        for (const auto& [k, v] : p.match) {
            const auto it = labels.find(k);
            const auto& have = k == "node" ? node : (it == labels.end() ? std::string() : it->second);
            if (have != v) all = false;
        }
        if (all) return &p;
    }
    return nullptr;
}

price_table parse_price_table(std::string_view text) {
    const auto doc = parse_json_guarded(text);
    if (doc.is_discarded()) throw std::invalid_argument("price table: not valid JSON");
    if (!doc.is_object()) throw std::invalid_argument("price table: must be a JSON object");
    price_table t;
    if (const auto c = doc.find("currency"); c != doc.end()) {
        if (!c->is_string()) throw std::invalid_argument("price table: currency must be a string");
        t.currency = c->get<std::string>();
    }
    t.egress_per_gb = price_value(doc, "egress_per_gb", "price table", false);
    const auto nodes = doc.find("nodes");
    if (nodes == doc.end() || !nodes->is_array()) throw std::invalid_argument("price table: nodes must be an array");
    for (std::size_t i = 0; i < nodes->size(); ++i)
        t.nodes.push_back(read_node_price((*nodes)[i], "price table: nodes[" + std::to_string(i) + "]"));
    return t;
}

price_table load_price_table(const std::filesystem::path& path) {
    const auto file = read_input_file(path, std::size_t{1} << 20);
    if (!file.text) throw std::invalid_argument("price table: file " + path.string() + ": " + file.error);
    return parse_price_table(*file.text);
}

std::vector<cost_group> pull_costs(const std::vector<pull_observation>& pulls, const std::vector<std::string>& group_by,
                                   const price_table& prices) {
    std::map<label_set, cost_group> groups;
    std::map<label_set, std::set<std::string>> names;
    for (const auto& p : pulls) {
        if (p.already_present) continue;
        const auto key = pull_group_key(p, group_by);
        auto& g = groups[key];
        ++g.pulls;
        const double seconds = p.seconds.value_or(0);
        g.pull_seconds += seconds;
        const auto* price = prices.price_for(p.labels, p.node);
        if (!price) {
            ++g.unpriced_pulls;
            continue;
        }
        g.node_hours += seconds / 3600;
        g.cost += seconds / 3600 * price->per_hour;
        names[key].insert(price->name);
    }
    std::vector<cost_group> out;
    for (auto& [key, g] : groups) {
        g.key = key;
        for (const auto& n : names[key]) g.price_names += (g.price_names.empty() ? "" : ",") + n;
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace strata::analytics

// analyze_command: `strata analyze pulls` over Kubernetes event logs, as a table, JSON or CSV.
#include "proxy/analyze_command.hpp"

#include "analytics/k8s_events.hpp"
#include "analytics/pull_times.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <stdexcept>

namespace strata::proxy {
namespace {

namespace fs = std::filesystem;

constexpr const char* usage =
    "usage: strata analyze pulls [--labels PATTERN] [--label KEY=VALUE]... [--group-by K1,K2]\n"
    "                            [--format table|json|csv] PATH...\n"
    "  Image pull times from Kubernetes events: kubernetes-event-exporter JSON lines or\n"
    "  `kubectl get events -o json` files, plain or .gz; directories are searched for\n"
    "  *.json, *.jsonl, *.log and their .gz. Each event counts once (by uid).\n"
    "  --labels takes labels from each file's path, aligned to its end, e.g.\n"
    "    '{cloud}/{env}/{node_type}/size{size}/times/*'\n"
    "  --group-by groups by those labels, or by image or node.\n";

struct analyze_args {
    std::string pattern, format = "table";
    analytics::label_set fixed;
    std::vector<std::string> group_by, paths;
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    for (std::size_t start = 0; start <= s.size();) {
        const auto end = std::min(s.find(sep, start), s.size());
        if (end > start) out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

analyze_args parse_args(const std::vector<std::string>& args) {
    analyze_args a;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto value = [&] {
            if (i + 1 >= args.size()) throw std::invalid_argument(args[i] + " needs a value");
            return args[++i];
        };
        if (args[i] == "--labels") a.pattern = value();
        else if (args[i] == "--group-by") a.group_by = split(value(), ',');
        else if (args[i] == "--format") a.format = value();
        else if (args[i] == "--label") {
            const auto kv = value();
            const auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0) throw std::invalid_argument("--label wants KEY=VALUE");
            a.fixed[kv.substr(0, eq)] = kv.substr(eq + 1);
        } else if (args[i].starts_with("-")) throw std::invalid_argument("unknown flag " + args[i]);
        else a.paths.push_back(args[i]);
    }
    if (a.paths.empty()) throw std::invalid_argument("no event files given");
    if (a.format != "table" && a.format != "json" && a.format != "csv")
        throw std::invalid_argument("--format: table, json or csv");
    return a;
}

bool is_event_file(const fs::path& p) {
    auto name = p.filename().string();
    if (name.ends_with(".gz")) name.resize(name.size() - 3);
    return name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".log");
}

// Arguments in the order given (an event seen twice counts where it was read first), each
// directory's files in path order.
std::vector<fs::path> expand(const std::vector<std::string>& paths) {
    std::vector<fs::path> files;
    for (const auto& p : paths) {
        if (!fs::is_directory(p)) {
            files.emplace_back(p);
            continue;
        }
        std::vector<fs::path> found;
        for (const auto& e : fs::recursive_directory_iterator(p))
            if (e.is_regular_file() && is_event_file(e.path())) found.push_back(e.path());
        std::sort(found.begin(), found.end());
        files.insert(files.end(), found.begin(), found.end());
    }
    return files;
}

std::string key_text(const analytics::label_set& key) {
    std::string out;
    for (const auto& [k, v] : key) out += (out.empty() ? "" : " ") + k + "=" + v;
    return out.empty() ? "all" : out;
}

nlohmann::json to_json(const analytics::pull_time_group& g) {
    nlohmann::json p = nlohmann::json::object();
    for (const auto& [q, v] : g.seconds.percentiles) {
        char name[8];
        std::snprintf(name, sizeof name, "p%d", q);
        p[name] = v;
    }
    return {{"group", g.key},        {"pulls", g.pulls},         {"already_present", g.already_present},
            {"nodes", g.nodes},      {"images", g.images},       {"seconds_total", g.seconds.sum},
            {"seconds_mean", g.seconds.mean}, {"seconds_stddev", g.seconds.stddev}, {"seconds_percentiles", p},
            {"bytes", g.bytes},      {"sized_pulls", g.sized_pulls}, {"size_seconds_correlation", g.size_correlation}};
}

void print_table(const std::vector<analytics::pull_time_group>& groups) {
    std::printf("%-40s %6s %7s %5s %6s %8s %8s %8s %8s %9s %7s\n", "group", "pulls", "present", "nodes", "images",
                "p50 s", "p90 s", "p99 s", "max s", "total s", "r(size)");
    for (const auto& g : groups) {
        const auto& p = g.seconds.percentiles;
        const auto at = [&](int q) { return p.count(q) ? p.at(q) : 0.0; };
        std::printf("%-40s %6zu %7zu %5zu %6zu %8.2f %8.2f %8.2f %8.2f %9.1f %7.2f\n", key_text(g.key).c_str(), g.pulls,
                    g.already_present, g.nodes, g.images, at(50), at(90), at(99), at(100), g.seconds.sum,
                    g.size_correlation);
    }
}

void print_csv(const std::vector<analytics::pull_time_group>& groups) {
    std::cout << "group,pulls,already_present,nodes,images,seconds_total,seconds_mean,p50,p90,p95,p99,max,bytes\n";
    for (const auto& g : groups) {
        const auto& p = g.seconds.percentiles;
        const auto at = [&](int q) { return p.count(q) ? p.at(q) : 0.0; };
        std::cout << '"' << key_text(g.key) << "\"," << g.pulls << ',' << g.already_present << ',' << g.nodes << ','
                  << g.images << ',' << g.seconds.sum << ',' << g.seconds.mean << ',' << at(50) << ',' << at(90) << ','
                  << at(95) << ',' << at(99) << ',' << at(100) << ',' << g.bytes << '\n';
    }
}

nlohmann::json counts_json(const analytics::import_counts& c) {
    return {{"files", c.files}, {"unreadable_files", c.unreadable_files}, {"lines", c.lines}, {"not_json", c.not_json},
            {"not_events", c.not_events}, {"events", c.events}, {"duplicates", c.duplicates},
            {"pulling", c.pulling}, {"pulled", c.pulled}, {"already_present", c.already_present},
            {"unparsed_messages", c.unparsed_messages}};
}

int analyze_pulls(const analyze_args& a) {
    analytics::k8s_event_importer importer;
    std::size_t unlabelled = 0;
    for (const auto& file : expand(a.paths)) {
        auto labels = a.fixed;
        if (!a.pattern.empty()) {
            if (auto from_path = analytics::labels_from_path(a.pattern, file)) labels.insert(from_path->begin(), from_path->end());
            else ++unlabelled;
        }
        importer.add_file(file, labels);
    }
    const auto& c = importer.counts();
    const auto groups = analytics::pull_times(importer.pulls(), a.group_by);
    if (a.format == "json") {
        nlohmann::json out = {{"input", counts_json(c)}, {"files_not_matching_labels", unlabelled},
                              {"groups", nlohmann::json::array()}};
        for (const auto& g : groups) out["groups"].push_back(to_json(g));
        std::cout << out.dump(2) << "\n";
    } else if (a.format == "csv") {
        print_csv(groups);
    } else {
        print_table(groups);
    }
    std::cerr << "read " << c.files << " files (" << c.unreadable_files << " unreadable), " << c.lines << " lines: "
              << c.events << " events (" << c.duplicates << " duplicates), " << c.pulled << " pulls, "
              << c.already_present << " already present; skipped " << c.not_json << " non-JSON, " << c.not_events
              << " non-event, " << c.unparsed_messages << " unrecognised pull messages";
    if (unlabelled) std::cerr << "; " << unlabelled << " files did not match --labels";
    std::cerr << "\n";
    return c.files > c.unreadable_files ? 0 : 1;
}

}  // namespace

int run_analyze_command(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h") return std::cout << usage, args.empty() ? 2 : 0;
    if (args[0] != "pulls") return std::cerr << "strata analyze: unknown analysis '" << args[0] << "'\n" << usage, 2;
    try {
        return analyze_pulls(parse_args({args.begin() + 1, args.end()}));
    } catch (const std::invalid_argument& e) {
        std::cerr << "strata analyze: " << e.what() << "\n" << usage;
        return 2;
    }
}

}  // namespace strata::proxy

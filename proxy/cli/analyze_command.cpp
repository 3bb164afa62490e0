// analyze_command: `strata analyze …`: reads images and pull records from files or strata's
// store, runs one analysis (or the HTML report) and prints it as a table, JSON or CSV.
#include "proxy/cli/analyze_command.hpp"

#include "proxy/cli/command_frame.hpp"
#include "proxy/cli/flags.hpp"
#include "analytics/analyses/analysis_runner.hpp"
#include "analytics/inputs/byte_size.hpp"
#include "analytics/report/report_html.hpp"
#include "analytics/inputs/saved_images.hpp"
#include "analytics/inputs/strata_pulls.hpp"
#include "proxy/cli/crawl_command.hpp"
#include "proxy/cli/dockerfiles_command.hpp"
#include "proxy/cli/import_command.hpp"
#include "proxy/cli/output_file.hpp"
#include "proxy/cli/store_dir.hpp"

#include "storage/blobs/blob_store.hpp"
#include "storage/events/event_log.hpp"
#include "storage/index/metadata_index.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <unordered_set>

namespace strata::proxy {
namespace {

namespace fs = std::filesystem;

constexpr const char* analyze_usage =
    "usage: strata analyze ANALYSIS [options] PATH...\n"
    "  sizes       image and layer size distributions   (--group-by registry,repository,year,platform,LABEL)\n"
    "  trends      each repository's sizes across its version-sorted tags\n"
    "  reuse       layers shared across images, bytes saved by sharing (--top N)\n"
    "  similarity  Jaccard similarity and clusters      (--by digest|content, --cut DISTANCE, --top N)\n"
    "              of every pair: at most 20,000 images\n"
    "  neighbours  each image's k most similar, and clusters of that graph, at any scale\n"
    "              (--k N, default 20; --by, --cut, --top N clusters)\n"
    "  hygiene     package caches left in layers, biggest layers (--top N)\n"
    "  bases       each image's base: the longest known base whose layers begin it (--base-repos LIST)\n"
    "  pulls       pull times from Kubernetes events    (--group-by LABELS|image|node)\n"
    "  cost        node time and money spent pulling    (--prices FILE, --group-by ...)\n"
    "  report      all of it as one HTML file           (--out FILE, --images PATH, --events PATH)\n"
    "  crawl       fetch manifests and configs through a running strata (strata analyze crawl --help)\n"
    "  dockerfiles base images and hygiene of the Dockerfiles in cloned repositories (--help)\n"
    "  import      save images from files into a data directory, for --data-dir (--help)\n"
    "Inputs:\n"
    "  PATH...            image analyses: manifests-config-layers.json bundles, OCI image layouts,\n"
    "                     `skopeo inspect --raw` files (NAME.json with NAME.config.json), or\n"
    "                     directories of them; pulls and cost: Kubernetes event files (exporter\n"
    "                     JSON lines or `kubectl get events -o json`, plain or .gz) or directories\n"
    "  --data-dir DIR     strata's own store: its cached images, the images `import` and `crawl\n"
    "                     --data-dir` saved there (read one at a time), and its pull event log (repeat it\n"
    "                     for the replicas of a cluster: images joined, pulls merged in time order)\n"
    "  --labels PATTERN   labels from each event file's path, e.g. '{cloud}/{env}/{node_type}/size{size}/times/*'\n"
    "  --label KEY=VALUE  a label for every image and event read (to compare runs: --group-by KEY)\n"
    "  --max-line-bytes SIZE\n"
    "                     an event line longer than this is skipped and reported (default 16MiB)\n"
    "  --max-document-bytes SIZE\n"
    "                     a JSON document (EventList, bundle, manifest) that decompresses to more is\n"
    "                     refused and reported (default 64MiB); memory never follows a gzip trailer\n"
    "Output: --format table|json|csv (CSV carries the first table).\n";

struct analyze_args {
    std::string analysis, format = "table", pattern, prices_file, out;
    std::vector<std::string> data_dirs;  // several: the replicas of a cluster
    analytics::label_set fixed;
    analytics::analysis_request request;
    analytics::input_limits limits;
    std::vector<std::string> paths, image_paths, event_paths;
    bool group_by_given = false;
};

std::size_t size_limit(std::string_view flag, const std::string& v) {
    const auto bytes = analytics::parse_byte_size(v);
    if (!bytes || *bytes == 0 || *bytes > std::numeric_limits<std::size_t>::max() / 2)
        throw usage_error(std::string(flag) + " wants a size such as 16MiB or 1048576");
    return static_cast<std::size_t>(*bytes);
}

flag_set analyze_flags(analyze_args& a) {
    auto& r = a.request;
    flag_set f;
    f.value("--format", [&a](const std::string& v) { a.format = one_of("--format", v, {"table", "json", "csv"}); })
        .value("--group-by", [&a](const std::string& v) { a.request.group_by = comma_list(v), a.group_by_given = true; })
        .text("--labels", a.pattern)
        .value("--data-dir", [&a](const std::string& v) { a.data_dirs.push_back(v); })
        .text("--prices", a.prices_file)
        .text("--out", a.out)
        .list("--images", a.image_paths)
        .list("--events", a.event_paths)
        .value("--top", [&r](const std::string& v) { r.top = whole_number("--top", v, 0, 1'000'000); })
        .value("--by", [&r](const std::string& v) { r.by = analytics::parse_similarity_basis(v); })
        .value("--k", [&r](const std::string& v) { r.k = whole_number("--k", v, 1, 10'000); })
        .value("--cut", [&r](const std::string& v) { r.cut = static_cast<float>(number_in("--cut", v, 0, 1)); })
        .value("--base-repos",
               [&r](const std::string& v) {
                   r.base_repositories = comma_list(v);
                   try {
                       analytics::check_base_repositories(r.base_repositories);
                   } catch (const std::invalid_argument& e) {
                       throw usage_error(std::string("--base-repos: ") + e.what());
                   }
               })
        .value("--max-line-bytes", [&a](const std::string& v) { a.limits.max_line_bytes = size_limit("--max-line-bytes", v); })
        .value("--max-document-bytes",
               [&a](const std::string& v) { a.limits.max_document_bytes = size_limit("--max-document-bytes", v); })
        .value("--label", [&a](const std::string& v) {
            auto [key, value] = key_value("--label", v, "KEY=VALUE");
            a.fixed[key] = std::move(value);
        })
        .operands([&a](const std::string& v) { a.paths.push_back(v); });
    return f;
}

bool is_image_analysis(const std::string& name) {
    return name == "sizes" || name == "trends" || name == "reuse" || name == "similarity" || name == "neighbours" ||
           name == "hygiene" || name == "bases";
}

analyze_args parse_analyze_args(const std::vector<std::string>& args) {
    if (args.empty()) throw usage_error("no analysis named");
    analyze_args a;
    a.analysis = args[0];
    a.request.name = a.analysis;
    analyze_flags(a).parse({args.begin() + 1, args.end()});
    const auto& names = analytics::analysis_names();
    if (a.analysis != "report" && std::find(names.begin(), names.end(), a.analysis) == names.end())
        throw usage_error("unknown analysis '" + a.analysis + "'");
    if (a.analysis == "report") {
        if (a.out.empty()) throw usage_error("report needs --out FILE");
        if (!a.paths.empty()) throw usage_error("report takes --images PATH and --events PATH");
    } else if (is_image_analysis(a.analysis)) {
        a.image_paths = a.paths;
    } else {
        a.event_paths = a.paths;
    }
    if (a.image_paths.empty() && a.event_paths.empty() && a.data_dirs.empty())
        throw usage_error("no input: give PATHs or --data-dir");
    if (a.analysis == "cost" && a.prices_file.empty()) throw usage_error("cost needs --prices FILE");
    if (a.analysis == "sizes" && !a.group_by_given) a.request.group_by = {"registry"};
    return a;
}

struct loaded_inputs {
    explicit loaded_inputs(const analytics::input_limits& limits) : events(limits) {}

    analytics::image_catalog images;
    analytics::k8s_event_importer events;
    std::vector<analytics::pull_observation> pulls;
    std::size_t unlabelled_files = 0, strata_requests = 0;
    std::size_t saved_images = 0, damaged_saved_images = 0;  // read back from the data directories
    std::optional<analytics::price_table> prices;
};

void load_store(const analyze_args& a, const std::string& data_dir, loaded_inputs& in) {
    const fs::path root(data_dir);
    storage::metadata_index index(store_index_dir(data_dir), storage::metadata_index::open_mode::read_only);
    if (a.analysis == "report" || is_image_analysis(a.analysis))
        analytics::import_store(in.images, index, storage::blob_store(root, /*clean_temp=*/false));
    if (a.analysis == "report")  // a report holds its images; the analyses stream them (saved_image_stream)
        in.damaged_saved_images += analytics::for_each_saved_image(index, [&](analytics::image& img) {
            if (in.images.add(std::move(img))) ++in.saved_images;
        });
    if (a.analysis == "report" || !is_image_analysis(a.analysis)) {
        storage::event_log log(index);
        auto pulls = analytics::pulls_from_event_log(log, 0, std::numeric_limits<std::int64_t>::max());
        in.strata_requests += pulls.size();
        in.pulls.insert(in.pulls.end(), pulls.begin(), pulls.end());
    }
}

void load_events(const analyze_args& a, loaded_inputs& in) {
    in.unlabelled_files = in.events.add_paths(a.event_paths, a.pattern, a.fixed);
    in.pulls.insert(in.pulls.end(), in.events.pulls().begin(), in.events.pulls().end());
}

void load(const analyze_args& a, loaded_inputs& in) {
    if (!a.prices_file.empty()) in.prices = analytics::load_price_table(a.prices_file);
    if (!a.image_paths.empty()) {
        std::vector<fs::path> paths(a.image_paths.begin(), a.image_paths.end());
        analytics::import_image_files(in.images, paths, a.limits.max_document_bytes);
    }
    if (!a.event_paths.empty()) load_events(a, in);
    for (const auto& dir : a.data_dirs) load_store(a, dir, in);
    if (a.data_dirs.size() > 1)  // the replicas' logs, merged in time order
        std::stable_sort(in.pulls.begin(), in.pulls.end(),
                         [](const auto& x, const auto& y) { return x.time_s < y.time_s; });
    in.images.label_all(a.fixed);
}

void print_input_counts(const analyze_args& a, const loaded_inputs& in) {
    if (!a.image_paths.empty() || (!a.data_dirs.empty() && a.analysis != "pulls" && a.analysis != "cost")) {
        const auto& c = in.images.counts();
        std::cerr << "images: " << c.images << " from " << c.files << " files (" << c.unreadable_files
                  << " unreadable, " << c.invalid_manifests << " invalid manifests, " << c.indexes_without_images
                  << " indexes without their platform manifests, " << c.missing_configs << " without config, "
                  << c.invalid_configs << " invalid configs, " << c.duplicates << " duplicates)\n";
        for (const auto& e : in.images.errors()) std::cerr << "  " << e << "\n";
    }
    if (!a.event_paths.empty()) {
        const auto& c = in.events.counts();
        std::cerr << "events: read " << c.files << " files (" << c.unreadable_files << " unreadable, "
                  << c.damaged_files << " damaged), " << c.lines << " lines: " << c.events << " events ("
                  << c.duplicates << " duplicates), " << c.pulled << " pulls, " << c.already_present
                  << " already present; skipped " << c.oversized_lines << " oversized, " << c.not_json
                  << " non-JSON, " << c.not_events << " non-event, " << c.unparsed_messages
                  << " unrecognised pull messages";
        if (in.unlabelled_files) std::cerr << "; " << in.unlabelled_files << " files did not match --labels";
        std::cerr << "\n";
        for (const auto& e : in.events.errors()) std::cerr << "  " << e << "\n";
    }
    if (in.strata_requests) std::cerr << "strata log: " << in.strata_requests << " served manifest and blob GETs\n";
}

nlohmann::json inputs_json(const analyze_args& a, const loaded_inputs& in) {
    nlohmann::json j = nlohmann::json::object();
    if (!a.image_paths.empty() || !a.data_dirs.empty()) {
        j["images"] = analytics::render_json(analytics::image_import_table(in.images))[0];
        j["image_errors"] = in.images.errors();
    }
    if (!a.event_paths.empty()) {
        j["events"] = analytics::render_json(analytics::event_import_table(in.events.counts()))[0];
        j["event_errors"] = in.events.errors();
        j["files_not_matching_labels"] = in.unlabelled_files;
    }
    if (!a.data_dirs.empty()) {
        j["strata_requests"] = in.strata_requests;
        j["saved_images"] = in.saved_images;
        j["damaged_saved_images"] = in.damaged_saved_images;
    }
    return j;
}

std::string now_text() {
    const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

int write_report(const analyze_args& a, const loaded_inputs& in) {
    analytics::report_inputs r;
    r.generated_at = "Generated " + now_text() + " by strata analyze report";
    if (!a.image_paths.empty() || !a.data_dirs.empty()) r.images = &in.images;
    if (!in.pulls.empty()) r.pulls = &in.pulls;
    if (!a.event_paths.empty()) r.event_counts = in.events.counts();
    if (in.prices) r.prices = &*in.prices;
    r.pull_group_by = a.request.group_by;
    const auto html = analytics::render_report(r);
    write_file_atomically(a.out, html);
    std::cerr << "wrote " << a.out << " (" << html.size() << " bytes)\n";
    return 0;
}

// The catalog's images, then those saved in each data directory, read one at a time (each
// image once, by name, digest and platform); counts what it read into in.
analytics::image_stream saved_image_stream(const analyze_args& a, loaded_inputs& in) {
    return [&a, &in](const analytics::image_visitor& visit) {
        // One data directory's keys are unique: only images from elsewhere can repeat them.
        const bool may_repeat = !in.images.images().empty() || a.data_dirs.size() > 1;
        std::unordered_set<std::string> seen;
        for (const auto& img : in.images.images()) {
            seen.insert(analytics::saved_image_key(img));
            visit(img);
        }
        for (const auto& dir : a.data_dirs) {
            storage::metadata_index index(store_index_dir(dir), storage::metadata_index::open_mode::read_only);
            in.damaged_saved_images += analytics::for_each_saved_image(index, [&](analytics::image& img) {
                img.labels.insert(a.fixed.begin(), a.fixed.end());  // the image's own value wins
                if (may_repeat && !seen.insert(analytics::saved_image_key(img)).second) return;
                ++in.saved_images;
                visit(img);
            });
        }
    };
}

void print_saved_counts(const analyze_args& a, const loaded_inputs& in) {
    if (a.data_dirs.empty() || !is_image_analysis(a.analysis)) return;
    std::cerr << "saved images: " << in.saved_images << " read from the data director"
              << (a.data_dirs.size() == 1 ? "y" : "ies");
    if (in.damaged_saved_images) std::cerr << " (" << in.damaged_saved_images << " damaged records skipped)";
    std::cerr << "\n";
}

int print_analysis(const analyze_args& a, loaded_inputs& in) {
    auto request = a.request;
    request.prices = in.prices;
    const auto out = a.data_dirs.empty() ? analytics::run_analysis(request, in.images, in.pulls)
                                         : analytics::run_analysis(request, saved_image_stream(a, in), in.pulls);
    print_saved_counts(a, in);
    if (a.format == "json") {
        const nlohmann::json doc = {{"analysis", a.analysis}, {"inputs", inputs_json(a, in)}, {"result", out.json}};
        std::cout << doc.dump(2) << "\n";
    } else if (a.format == "csv") {
        std::cout << analytics::render_csv(out.tables.front());
    } else {
        for (std::size_t i = 0; i < out.tables.size(); ++i) std::cout << (i ? "\n" : "") << analytics::render_text(out.tables[i]);
    }
    return 0;
}

// 1 when inputs were named but nothing at all could be read from them.
bool nothing_read(const analyze_args& a, const loaded_inputs& in) {
    const bool images_unread = !a.image_paths.empty() && in.images.counts().files == in.images.counts().unreadable_files;
    const bool events_unread = !a.event_paths.empty() && in.events.counts().files == in.events.counts().unreadable_files;
    return (a.image_paths.empty() || images_unread) && (a.event_paths.empty() || events_unread) && a.data_dirs.empty();
}

}  // namespace

int run_analyze_command(const std::vector<std::string>& args) {
    if (!args.empty() && args[0] == "crawl") return run_crawl_command({args.begin() + 1, args.end()});
    if (!args.empty() && args[0] == "dockerfiles") return run_dockerfiles_command({args.begin() + 1, args.end()});
    if (!args.empty() && args[0] == "import") return run_import_command({args.begin() + 1, args.end()});
    return run_command("analyze", analyze_usage, args, [&] {
        const auto a = parse_analyze_args(args);
        loaded_inputs in(a.limits);
        load(a, in);
        print_input_counts(a, in);
        if (nothing_read(a, in)) {
            std::cerr << "strata analyze: none of the inputs could be read\n";
            return 1;
        }
        return a.analysis == "report" ? write_report(a, in) : print_analysis(a, in);
    });
}

}  // namespace strata::proxy

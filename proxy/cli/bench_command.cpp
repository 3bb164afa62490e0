// bench_command: flags into plans, plans into runs, runs into tables and recorded events.
#include "proxy/cli/bench_command.hpp"

#include "analytics/inputs/image_catalog.hpp"
#include "analytics/inputs/json_input.hpp"
#include "analytics/inputs/saved_images.hpp"
#include "storage/blobs/blob_store.hpp"
#include "analytics/inputs/strata_pulls.hpp"
#include "proxy/bench/admin_client.hpp"
#include "proxy/bench/bench_report.hpp"
#include "proxy/bench/bench_results.hpp"
#include "proxy/bench/corpus_shapes.hpp"
#include "proxy/bench/image_push.hpp"
#include "proxy/bench/pull_bench.hpp"
#include "proxy/cli/command_frame.hpp"
#include "proxy/cli/flags.hpp"
#include "proxy/cli/output_file.hpp"
#include "proxy/cli/store_dir.hpp"
#include "proxy/config/config.hpp"
#include "storage/blobs/store_lock.hpp"
#include "storage/events/event_labels.hpp"
#include "storage/events/event_log.hpp"
#include "storage/oci/reference.hpp"
#include "storage/untrusted/text_escape.hpp"
#include "storage/index/metadata_index.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>

namespace strata::proxy {
namespace {

namespace fs = std::filesystem;

constexpr const char* bench_usage =
    "usage: strata bench images|pull|report [flags]   (strata bench images --help, …)\n"
    "  images  generate reproducible images of chosen shapes and push them to a registry\n"
    "  pull    pull images with simulated nodes under each strategy, and record every pull\n"
    "  report  the recorded runs as an HTML report: verdicts, charts, strategies compared, cost\n";

constexpr const char* report_usage =
    "usage: strata bench report --data-dir DIR (--out FILE | --format table|json|csv) [--run ID] [--prices FILE]\n"
    "  --format prints the recorded trials and verdicts as strata bench pull does. --out writes\n"
    "  the pulls `strata bench pull --data-dir DIR` recorded, as the analytics report opening with\n"
    "  a section of its own: verdicts against direct, p50 pull time by image size per layer count,\n"
    "  strategies compared, pull time by node count, the registry's egress and (with --prices, as\n"
    "  in analyze cost) what each strategy cost; then the pull times grouped by strategy, nodes\n"
    "  and shape. --run keeps one run (default: every run recorded there).\n";

constexpr const char* images_usage =
    "usage: strata bench images --registry URL (--shapes SIZE:LAYERS,... | --like PATH... | --data-dir DIR) [flags]\n"
    "  Generates one image per shape (about SIZE compressed, in LAYERS equal gzip (or zstd) layers of\n"
    "  seeded bytes: the same seed gives the same digests) and pushes it to\n"
    "  REGISTRY/PREFIX/SHAPE:TAG over the OCI push API. Prints the references it pushed.\n"
    "  --registry URL          http://host:port or https://host (required)\n"
    "  --shapes LIST           e.g. 1GB:1,1GB:4,1GB:16,5GB:8\n"
    "  --like PATH             or shapes from a real corpus (repeatable; what strata analyze reads: bundles,\n"
    "                          OCI layouts, skopeo files): its p50 and p90 image (size, layer count and\n"
    "                          the proportions of its layers' sizes)\n"
    "  --data-dir DIR          the same from the images saved or cached in a data directory\n"
    "  --sample N              instead of p50 and p90, N images drawn from the corpus (seeded by --seed)\n"
    "  --seed N                default 1\n"
    "  --compressibility F     0 (random bytes, default) to 0.95: the share of bytes that compress away\n"
    "  --compression C         gzip (default) or zstd: how layers are compressed (tar+gzip, tar+zstd)\n"
    "  --base SIZE             every image also starts with one shared base layer of SIZE,\n"
    "                          mounted across repositories once pushed\n"
    "  --repository-prefix P   default bench\n"
    "  --tag TAG               default s<seed> (s<seed>-zstd for zstd layers)\n"
    "  --chunk-size SIZE       upload blobs in PATCH chunks of SIZE (default: one PUT per blob)\n"
    "  --creds USER:PASSWORD   Basic credentials, or for the token service (push scope)\n"
    "  --ca-file FILE          CA bundle for an https registry (default: the system's)\n"
    "  --work-dir DIR          where each layer is written before it is pushed (default: a temporary directory)\n"
    "  --dry-run               print the shapes, generate and push nothing\n"
    "  --format table|json|csv\n";

constexpr const char* pull_usage =
    "usage: strata bench pull --registry NAME=URL --image REPOSITORY:TAG [flags]\n"
    "  Every trial (registry x image x strategy x nodes x concurrency) starts its nodes at once;\n"
    "  each node pulls like containerd (HEAD, manifest, config, layers `concurrency` at a time,\n"
    "  every digest verified) over its own connections and its own shaped link.\n"
    "  --plan FILE              a JSON plan (keys: registries, images, strategies, nodes, concurrency,\n"
    "                           node_bandwidth, node_rtt, upstream_bandwidth, upstream_rtt, kernel_shaping,\n"
    "                           unpack, client, proxy)\n"
    "  --registry NAME=URL      repeatable; with --proxy, NAME is the upstream's name in that strata\n"
    "  --image REF              repeatable: repository:tag or repository@digest\n"
    "  --strategies LIST        direct, proxy-cold, proxy-warm, proxy-prewarmed, node-warm, two-tier (default direct)\n"
    "  --nodes LIST             e.g. 1,8,32,64 (default 1)\n"
    "  --concurrency LIST       layers at once per node, e.g. 1,3,all (default 3, containerd's)\n"
    "  --node-bandwidth RATE    each node's download link, e.g. 1250MB/s (default: unshaped)\n"
    "  --node-rtt DURATION      each node's round trip, e.g. 1ms\n"
    "  --upstream-bandwidth RATE  the registry's link, shared by every node and strata (http registries)\n"
    "  --upstream-rtt DURATION  the registry's round trip, e.g. 20ms (http registries)\n"
    "  --kernel-shaping         --upstream-bandwidth set by the kernel (tc tbf on a veth into a network\n"
    "                           namespace the bench creates; needs root and iproute2) instead of the relay\n"
    "  --unpack none|decompress|extract  what a node does with each layer as it streams (default none)\n"
    "  --client builtin|ctr     the built-in puller (default), or one real containerd per node driven\n"
    "                           with ctr (at most 16 nodes; `ctr content fetch`, or `images pull` for --unpack extract)\n"
    "  --proxy URL              a running strata for the proxy-* strategies (proxy-cold evicts the image\n"
    "                           first: DELETE /api/v1/cache); default: the bench starts its own. Without\n"
    "                           --data-dir, every pull is recorded in its event log (POST /api/v1/events)\n"
    "  --proxy-token-file FILE  that strata's admin token (eviction, prefetch, recording)\n"
    "  --data-dir DIR           record every pull there as strata pull events, labelled run,\n"
    "                           strategy, nodes, concurrency, shape, registry (read with strata analyze\n"
    "                           pulls --data-dir DIR --group-by strategy,nodes,shape)\n"
    "  --run-id ID              the run label: letters, digits and . _ : - (default: the start time in Unix seconds)\n"
    "  --work-dir DIR           for the bench's strata data directories and extracted files\n"
    "  --format table|json|csv\n"
    "Without shaping, loopback pulls measure this machine's CPU and memory, not a network.\n";

bool progress_wanted() { return isatty(STDERR_FILENO) != 0; }

void show_progress(const std::string& line) {
    if (progress_wanted()) std::cerr << line << "\n";
}

// The trials and their verdicts on stdout, as a table (verdicts after it), JSON or CSV (no verdicts).
void print_trials(const std::vector<trial_result>& trials, const std::string& run, const std::string& format) {
    const auto table = trials_table(trials);
    if (format == "json") {
        nlohmann::json out = {{"run", run}, {"trials", analytics::render_json(table)}, {"verdicts", verdicts(trials)}};
        std::cout << out.dump(2) << "\n";
    } else if (format == "csv") {
        std::cout << analytics::render_csv(table);
    } else {
        std::cout << analytics::render_text(table);
        for (const auto& v : verdicts(trials)) std::cout << v << "\n";
    }
}

// What a finished trial's progress line says: its nodes' p50 and slowest pull, and failures.
std::string trial_outcome(const trial_result& t) {
    const auto seconds = finished_seconds(t);
    std::ostringstream s;
    s << std::fixed << std::setprecision(2) << "  " << seconds.size() << " of " << t.key.nodes << " nodes pulled";
    if (!seconds.empty())
        s << ": p50 " << quantile(seconds, 0.5) << " s, slowest " << *std::max_element(seconds.begin(), seconds.end())
          << " s, all done in " << t.wall_s << " s";
    return s.str();
}

// A temporary directory removed when the command ends, unless the user named one.
class work_directory {
public:
    explicit work_directory(const std::string& given) {
        if (!given.empty()) {
            path_ = given;
            fs::create_directories(path_);
            return;
        }
        std::string pattern = (fs::temp_directory_path() / "strata-bench-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory under " + fs::temp_directory_path().string());
        path_ = pattern;
        owned_ = true;
    }
    ~work_directory() {
        std::error_code ec;
        if (owned_) fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
    bool owned_ = false;
};

push_target parse_creds(push_target t, const std::string& creds) {
    const auto colon = creds.find(':');
    if (colon == std::string::npos || colon == 0) throw usage_error("--creds wants USER:PASSWORD");
    t.username = creds.substr(0, colon);
    t.password = creds.substr(colon + 1);
    return t;
}

// The sizes and layer counts of a corpus's images: files as analyze reads them, and the
// images saved or cached in a data directory.
std::vector<corpus_image> read_corpus(const std::vector<std::string>& paths, const std::string& data_dir) {
    std::vector<corpus_image> out;
    const auto take = [&out](const analytics::image& i) {
        corpus_image c{i.total_bytes(), static_cast<unsigned>(std::min<std::size_t>(i.layers.size(), UINT32_MAX)), {}};
        for (const auto& l : i.layers) c.layer_bytes.push_back(l.size);
        out.push_back(std::move(c));
    };
    if (!paths.empty()) {
        analytics::image_catalog catalog;
        analytics::import_image_files(catalog, {paths.begin(), paths.end()});
        for (const auto& i : catalog.images()) take(i);
        if (catalog.images().empty() && !catalog.errors().empty())
            throw std::invalid_argument("no image could be read from --like: " + storage::printable(catalog.errors().front()));
    }
    if (!data_dir.empty()) {
        storage::metadata_index index(store_index_dir(data_dir), storage::metadata_index::open_mode::read_only);
        analytics::for_each_saved_image(index, [&](analytics::image& i) { take(i); });
        analytics::image_catalog cached;
        analytics::import_store(cached, index, storage::blob_store(data_dir, /*clean_temp=*/false));
        for (const auto& i : cached.images()) take(i);
    }
    return out;
}

// Wraps a parser's std::invalid_argument as a usage error naming the flag.
template <class F>
auto flag_value(const char* flag, F parse) {
    try {
        return parse();
    } catch (const std::invalid_argument& e) {
        throw usage_error(std::string(flag) + ": " + e.what());
    }
}

std::vector<image_shape> shapes_wanted(const std::string& shapes, const std::vector<std::string>& like,
                                       const std::string& data_dir, std::size_t sample, std::uint64_t seed) {
    const bool corpus = !like.empty() || !data_dir.empty();
    if (corpus == !shapes.empty()) throw usage_error("give --shapes, or a corpus with --like PATH or --data-dir DIR");
    try {
        if (!corpus) return parse_image_shapes(shapes);
        const auto images = read_corpus(like, data_dir);
        auto out = sample ? sampled_shapes(images, sample, seed) : typical_shapes(images);
        std::cerr << "from " << images.size() << " images: ";
        for (const auto& s : out) std::cerr << s.text << " ";
        std::cerr << "\n";
        return out;
    } catch (const std::invalid_argument& e) {
        throw usage_error(std::string(corpus ? "corpus: " : "--shapes: ") + e.what());
    }
}

int bench_images(const std::vector<std::string>& args) {
    image_push_plan plan;
    push_target target;
    std::string shapes, creds, work, format = "table", data_dir;
    std::vector<std::string> like;
    std::size_t sample = 0;
    bool dry_run = false;
    flag_set()
        .toggle("--dry-run", dry_run)
        .text("--registry", target.url)
        .text("--shapes", shapes)
        .list("--like", like)
        .text("--data-dir", data_dir)
        .value("--sample", [&](const std::string& v) { sample = whole_number("--sample", v, 1, 1000); })
        .value("--seed", [&](const std::string& v) { plan.seed = whole_number("--seed", v, 0, UINT64_MAX); })
        .value("--compressibility",
               [&](const std::string& v) { plan.compressibility = number_in("--compressibility", v, 0, 0.95); })
        .value("--compression",
               [&](const std::string& v) { plan.compression = flag_value("--compression", [&] { return parse_layer_compression(v); }); })
        .value("--base", [&](const std::string& v) { plan.base_bytes = size_flag("--base", v); })
        .text("--repository-prefix", plan.repository_prefix)
        .text("--tag", plan.tag)
        .value("--chunk-size",
               [&](const std::string& v) {
                   plan.chunk_bytes = size_flag("--chunk-size", v);
                   if (plan.chunk_bytes > (std::uint64_t{1} << 30)) throw usage_error("--chunk-size: at most 1GiB");
               })
        .text("--creds", creds)
        .text("--ca-file", target.ca_file)
        .text("--work-dir", work)
        .value("--format", [&](const std::string& v) { format = one_of("--format", v, {"table", "json", "csv"}); })
        .parse(args);
    if (target.url.empty() && !dry_run) throw usage_error("--registry URL is required");
    plan.shapes = shapes_wanted(shapes, like, data_dir, sample, plan.seed);
    if (dry_run) {
        for (const auto& s : plan.shapes) std::cout << s.text << " " << s.repository(plan.repository_prefix) << "\n";
        return 0;
    }
    if (!plan.tag.empty() && !storage::is_valid_tag(plan.tag)) throw usage_error("--tag '" + storage::printable(plan.tag) + "' is not a valid tag");
    if (!creds.empty()) target = parse_creds(target, creds);
    work_directory dir(work);
    plan.work_dir = dir.path();
    push_client registry(target);
    const auto pushed = push_images(registry, plan, show_progress);
    analytics::result_table table{"Pushed images", {{"ref"}, {"digest"}, {"shape"}, {"bytes", analytics::unit::bytes},
                                                    {"layers", analytics::unit::count}, {"uploaded", analytics::unit::count},
                                                    {"mounted", analytics::unit::count}, {"present", analytics::unit::count}}, {}};
    for (const auto& p : pushed)
        table.add_row({p.ref, p.digest, p.shape, static_cast<double>(p.bytes), static_cast<double>(p.layers),
                       static_cast<double>(p.uploaded), static_cast<double>(p.mounted), static_cast<double>(p.present)});
    std::cout << (format == "json"  ? analytics::render_json(table).dump(2) + "\n"
                  : format == "csv" ? analytics::render_csv(table)
                                    : analytics::render_text(table));
    return 0;
}

struct pull_args {
    pull_plan plan;
    std::string data_dir, work_dir, format = "table";
};

void apply_plan_file(pull_plan& plan, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw usage_error("--plan: cannot read " + storage::printable(path));
    std::ostringstream text;
    text << in.rdbuf();
    const auto doc = analytics::parse_json_guarded(text.str().substr(0, std::size_t{1} << 20));
    if (doc.is_discarded()) throw usage_error("--plan: " + storage::printable(path) + " is not JSON");
    try {
        read_plan_json(doc, plan);
    } catch (const std::invalid_argument& e) {
        throw usage_error("--plan " + storage::printable(path) + ": " + e.what());
    }
}

pull_args parse_pull_args(const std::vector<std::string>& args) {
    pull_args a;
    auto& p = a.plan;
    bool strategies_given = false;
    flag_set()
        .value("--plan", [&](const std::string& v) { apply_plan_file(p, v); })
        .value("--registry", [&](const std::string& v) { p.registries.push_back(parse_bench_registry(v)); })
        .list("--image", p.images)
        .value("--strategies",
               [&](const std::string& v) {
                   if (!strategies_given) p.strategies.clear();
                   strategies_given = true;
                   for (const auto& s : comma_list(v))
                       p.strategies.push_back(flag_value("--strategies", [&] { return parse_strategy(s); }));
               })
        .value("--nodes", [&](const std::string& v) { p.nodes = flag_value("--nodes", [&] { return parse_node_counts("nodes", v); }); })
        .value("--concurrency",
               [&](const std::string& v) { p.concurrency = flag_value("--concurrency", [&] { return parse_concurrency("concurrency", v); }); })
        .value("--node-bandwidth",
               [&](const std::string& v) { p.node_bandwidth = flag_value("--node-bandwidth", [&] { return parse_bandwidth("bandwidth", v); }); })
        .value("--node-rtt", [&](const std::string& v) { p.node_rtt = flag_value("--node-rtt", [&] { return parse_rtt("rtt", v); }); })
        .value("--upstream-bandwidth",
               [&](const std::string& v) { p.upstream_bandwidth = flag_value("--upstream-bandwidth", [&] { return parse_bandwidth("bandwidth", v); }); })
        .value("--upstream-rtt", [&](const std::string& v) { p.upstream_rtt = flag_value("--upstream-rtt", [&] { return parse_rtt("rtt", v); }); })
        .toggle("--kernel-shaping", p.kernel_shaping)
        .value("--unpack", [&](const std::string& v) { p.unpack = flag_value("--unpack", [&] { return parse_unpack(v); }); })
        .value("--client", [&](const std::string& v) { p.client = flag_value("--client", [&] { return parse_client(v); }); })
        .text("--proxy", p.proxy_url)
        .value("--proxy-token-file", [&](const std::string& v) { p.proxy_token = read_secret_file(v, "--proxy-token-file"); })
        .text("--data-dir", a.data_dir)
        .text("--run-id", p.run_id)
        .text("--work-dir", a.work_dir)
        .value("--format", [&](const std::string& v) { a.format = one_of("--format", v, {"table", "json", "csv"}); })
        .parse(args);
    try {
        check_plan(p);
    } catch (const std::invalid_argument& e) {
        throw usage_error(e.what());
    }
    if (p.run_id.empty())
        p.run_id = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
    return a;
}

// The data directory the pulls are recorded in: locked for the whole run.
class event_recorder_dir {
public:
    explicit event_recorder_dir(const std::string& dir) : lock_(dir), index_(fs::path(dir) / "index"), log_(index_) {}
    void record(const std::vector<storage::pull_event>& events) { log_.append(events); }

private:
    storage::store_lock lock_;
    storage::metadata_index index_;
    storage::event_log log_;
};

// Where a run's pull events go: --data-dir, else the running strata of --proxy (its event log,
// through its admin API), else nowhere. A failure to record is said once, and fails the run.
class run_recorder {
public:
    explicit run_recorder(const pull_args& a) : server_(a.plan.proxy_url), token_(a.plan.proxy_token) {
        if (!a.data_dir.empty()) {
            dir_.emplace(a.data_dir);
            where_ = a.data_dir;
        } else if (!server_.empty()) {
            where_ = "the event log of " + server_;
        }
    }
    bool recording() const { return !where_.empty(); }
    const std::string& where() const { return where_; }
    bool failed() const { return failed_; }

    void record(const std::vector<storage::pull_event>& events) {
        if (!recording() || failed_) return;
        try {
            if (dir_) dir_->record(events);
            else record_events(server_, token_, events);
        } catch (const std::exception& e) {
            failed_ = true;
            std::cerr << "strata bench pull: the trials are not recorded in " << where_ << ": " << e.what() << "\n";
        }
    }

private:
    std::optional<event_recorder_dir> dir_;
    std::string server_, token_, where_;
    bool failed_ = false;
};

int bench_pull(const std::vector<std::string>& args) {
    const auto a = parse_pull_args(args);
    // The nodes' clients retry quietly (their failures reach the table), and never write on
    // stdout, which carries the results.
    spdlog::set_default_logger(spdlog::stderr_logger_mt("strata-bench"));
    spdlog::set_level(spdlog::level::err);
    run_recorder recorder(a);
    work_directory dir(a.work_dir);
    std::vector<trial_result> trials;
    bool failed = false;
    run_pull_bench(a.plan, dir.path(), show_progress, [&](const trial_result& t) {
        recorder.record(trial_events(t, a.plan.run_id));
        show_progress(trial_outcome(t));
        if (!t.error.empty() || t.failed()) {
            failed = true;
            std::cerr << "strata bench pull: " << storage::printable(t.key.registry) << " "
                      << storage::printable(t.key.image) << " " << strategy_name(t.key.strategy) << " nodes=" << t.key.nodes
                      << ": " << (t.error.empty() ? std::to_string(t.failed()) + " of the node pulls failed" : t.error)
                      << "\n";  // trial errors are made printable where they are caught
        }
        trials.push_back(t);
    });
    print_trials(trials, a.plan.run_id, a.format);
    if (!recorder.recording())
        std::cerr << "run " << a.plan.run_id << " is not recorded: --data-dir DIR keeps it for strata bench report\n";
    else if (!recorder.failed())
        std::cerr << "recorded run " << a.plan.run_id << " in " << recorder.where() << "\n";
    if (failed) std::cerr << "strata bench pull: some trials failed; their rows say why\n";
    return failed || recorder.failed() ? 1 : 0;
}

// A bench's event (it has a run label) of the run asked for, or of any run.
bool of_run(const storage::pull_event& e, const std::string& run) {
    const auto id = storage::find_event_label(e.labels, "run");
    return id && (run.empty() || *id == run);
}

int bench_report(const std::vector<std::string>& args) {
    std::string data_dir, out, run, prices_file, format;
    flag_set()
        .text("--data-dir", data_dir)
        .text("--out", out)
        .text("--run", run)
        .text("--prices", prices_file)
        .value("--format", [&](const std::string& v) { format = one_of("--format", v, {"table", "json", "csv"}); })
        .parse(args);
    if (data_dir.empty()) throw usage_error("--data-dir DIR is required: where strata bench pull recorded");
    if (out.empty() && format.empty()) throw usage_error("give --out FILE (the HTML report), --format, or both");
    std::optional<analytics::price_table> prices;
    if (!prices_file.empty()) prices = analytics::load_price_table(prices_file);
    storage::metadata_index index(store_index_dir(data_dir), storage::metadata_index::open_mode::read_only);
    storage::event_log log(index);
    std::vector<storage::pull_event> events;
    log.scan(0, std::numeric_limits<std::int64_t>::max(), [&](const storage::pull_event& e) {
        if ((e.kind == "image" || e.kind == "trial") && of_run(e, run)) events.push_back(e);
        return true;
    });
    const auto trials = trials_from_events(events);
    if (trials.empty())
        throw std::invalid_argument("no strata bench trials recorded in " + data_dir + (run.empty() ? "" : " for run " + run));
    if (!format.empty()) print_trials(trials, run, format);
    if (out.empty()) return 0;
    // Only the bench's pulls: a running strata's data directory also holds every pull it served.
    auto pulls = analytics::pulls_from_event_log(log, 0, std::numeric_limits<std::int64_t>::max(),
                                                 [&](const storage::pull_event& e) { return of_run(e, run); });
    analytics::report_inputs in;
    in.title = "strata bench";
    in.generated_at = std::to_string(trials.size()) + " trials recorded in " + data_dir + (run.empty() ? "" : ", run " + run);
    in.lead.push_back(bench_section(trials, prices ? &*prices : nullptr));
    in.pulls = &pulls;
    in.pull_group_by = {"strategy", "nodes", "shape"};
    in.prices = prices ? &*prices : nullptr;
    write_file_atomically(out, analytics::render_report(in));
    (format.empty() ? std::cout : std::cerr) << "wrote " << out << ": " << trials.size() << " trials\n";
    return 0;
}

}  // namespace

int run_bench_command(const std::vector<std::string>& args) {
    if (args.empty() || (args[0] != "images" && args[0] != "pull" && args[0] != "report"))
        return run_command("bench", bench_usage, args, [&]() -> int {
            throw usage_error(args.empty() ? "name images, pull or report" : "unknown bench command '" + storage::printable(args[0]) + "'");
        });
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "images") return run_command("bench images", images_usage, rest, [&] { return bench_images(rest); });
    if (args[0] == "report") return run_command("bench report", report_usage, rest, [&] { return bench_report(rest); });
    return run_command("bench pull", pull_usage, rest, [&] { return bench_pull(rest); });
}

}  // namespace strata::proxy

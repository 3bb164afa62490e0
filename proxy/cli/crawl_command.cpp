// crawl_command: `strata analyze crawl`: the work list, N workers sharing a pacer and a
// journal, progress on a terminal, and the bundles and table at the end.
#include "proxy/cli/crawl_command.hpp"

#include "analytics/analyses/analysis_tables.hpp"
#include "analytics/inputs/image_documents.hpp"
#include "analytics/inputs/input_stream.hpp"
#include "analytics/inputs/json_input.hpp"
#include "proxy/cli/command_frame.hpp"
#include "proxy/cli/crawl_client.hpp"
#include "proxy/cli/crawl_journal.hpp"
#include "proxy/cli/import_command.hpp"
#include "proxy/cli/crawl_pacer.hpp"
#include "proxy/cli/flags.hpp"
#include "proxy/cli/server_flags.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

namespace strata::proxy {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* crawl_usage =
    "usage: strata analyze crawl [--server http://127.0.0.1:5000] [--token-file F] [--all-tags]\n"
    "                            [--max-tags N] [--platform os/arch] [--save DIR] [--since DIR2]\n"
    "                            [--data-dir DATA]\n"
    "                            [--concurrency N] [--max-pause SECONDS]\n"
    "                            [--format table|json|csv] [--refs FILE] IMAGE...\n"
    "  Fetches each image's manifest and config through strata, so they are cached there too, and\n"
    "  prints sizes per tag in version order (semver-aware, then by config created). IMAGE is\n"
    "  ghcr.io/org/app:tag, ghcr.io/org/app@sha256:…, or ghcr.io/org/app with --all-tags for every\n"
    "  tag of the repository.\n"
    "  --refs FILE reads more IMAGEs, one per line (# comments), as `strata analyze dockerfiles\n"
    "  --refs-out` writes them.\n"
    "  --save DIR writes DIR/<registry>/<repository>/manifests-config-layers.json for `strata\n"
    "  analyze`, and keeps the crawl's progress in DIR/crawl-journal.jsonl: a crawl that was killed\n"
    "  or stopped resumes where it was when run again with the same DIR.\n"
    "  --since DIR2 skips the images a crawl saved in DIR2 (only new tags are fetched).\n"
    "  --data-dir DATA saves every image crawled (with --save, every image of the journal) into\n"
    "  the index of the data directory DATA, as `strata analyze import` does, for\n"
    "  `strata analyze ANALYSIS --data-dir DATA`. DATA cannot be the data directory of the strata\n"
    "  the crawl goes through (its lock is taken before the first fetch).\n"
    "  --concurrency N images at once (default 4). --max-tags N per repository (default 1000).\n"
    "  Answers 429 and 503 pause every worker (Retry-After, else 1 s doubling to 60 s); strata's\n"
    "  /api/v1/stats (--token-file when its admin API wants the token) is read at the start and\n"
    "  every 25 images, and the crawl pauses while strata spares an upstream's pull quota. A pause\n"
    "  longer than --max-pause SECONDS (default 900) stops the crawl, to be resumed later.\n";

constexpr int attempts_per_image = 6;
constexpr std::size_t images_per_quota_check = 25;

struct crawl_args {
    strata_server server;
    std::string platform = "linux/amd64", save, since, data_dir, format = "table";
    bool all_tags = false;
    std::size_t max_tags = 1000, concurrency = 4;
    std::chrono::seconds max_pause{900};
    std::vector<std::string> images;
};

constexpr std::size_t max_refs_file_bytes = std::size_t{16} << 20;

// IMAGEs from a file, one per line; blank lines and # comments skipped. Errors name the line.
void read_refs_file(const std::string& path, bool all_tags, std::vector<std::string>& images) {
    const auto file = analytics::read_input_file(path, max_refs_file_bytes);
    if (!file.text) throw usage_error("--refs: " + path + ": " + file.error);
    std::string_view text = *file.text;
    for (std::size_t n = 1; !text.empty(); ++n) {
        const auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        try {
            parse_image_ref(std::string(line), all_tags);
        } catch (const usage_error& e) {
            throw usage_error("--refs: " + path + " line " + std::to_string(n) + ": " + e.what());
        }
        images.emplace_back(line);
    }
}

crawl_args parse_crawl_args(const std::vector<std::string>& args) {
    crawl_args a;
    flag_set f;
    server_flags(f, a.server);
    f.toggle("--all-tags", a.all_tags)
        .value("--max-tags", [&a](const std::string& v) { a.max_tags = whole_number("--max-tags", v, 0, 999'999); })
        .text("--platform", a.platform)
        .text("--save", a.save)
        .text("--data-dir", a.data_dir)
        .text("--since", a.since)
        .value("--concurrency", [&a](const std::string& v) { a.concurrency = whole_number("--concurrency", v, 1, 64); })
        .value("--max-pause",
               [&a](const std::string& v) { a.max_pause = std::chrono::seconds(whole_number("--max-pause", v, 0, 604'800)); })
        .value("--refs", [&a](const std::string& v) { read_refs_file(v, a.all_tags, a.images); })
        .value("--format", [&a](const std::string& v) { a.format = one_of("--format", v, {"table", "json", "csv"}); })
        .operands([&a](const std::string& v) { a.images.push_back(v); })
        .parse(args);
    if (a.images.empty()) throw usage_error("no images given");
    if (!a.since.empty() && !fs::is_regular_file(crawl_journal::file_in(a.since)))
        throw usage_error("--since: no crawl saved in " + a.since + " (no " + crawl_journal::file_in(a.since).string() + ")");
    for (const auto& i : a.images) parse_image_ref(i, a.all_tags);  // reject bad names before any request
    return a;
}

// The images to fetch: tags listed for --all-tags, then those already saved (in --save or
// --since) left out.
struct work_list {
    std::vector<image_ref> images;
    std::size_t skipped = 0, failed = 0;
};

work_list plan(const crawl_args& a, const crawl_journal* journal, registry_client& client) {
    work_list w;
    auto seen = a.since.empty() ? std::set<std::string>{} : crawl_journal::refs_in(a.since);
    for (const auto& text : a.images) {
        const auto ref = parse_image_ref(text, a.all_tags);
        std::vector<std::string> tags{ref.tag};
        if (ref.tag.empty() && ref.digest.empty()) {
            try {
                tags = list_tags(client, ref, a.max_tags);
            } catch (const std::runtime_error& e) {
                ++w.failed;
                std::cerr << "strata analyze crawl: " << e.what() << "\n";
                continue;
            }
        }
        for (const auto& tag : tags) {
            auto one = ref;
            one.tag = tag;
            if (seen.contains(one.key()) || (journal && journal->has(one.key()))) {
                ++w.skipped;
            } else {
                seen.insert(one.key());  // an image named twice is fetched once
                w.images.push_back(std::move(one));
            }
        }
    }
    return w;
}

// Everything the workers share.
class crawl_run {
public:
    crawl_run(const crawl_args& a, work_list& work, crawl_journal* journal)
        : a_(a), work_(work), journal_(journal), pacer_(a.max_pause), failed_(work.failed) {}

    void run() {
        {
            registry_client client(a_.server.host, a_.server.port, a_.server.token);
            check_quota(client);
        }
        std::vector<std::jthread> workers;  // joined however run() is left
        for (std::size_t i = 0; i < std::min(a_.concurrency, work_.images.size()); ++i) workers.emplace_back([this] { work(); });
        show_progress(workers.size());
    }

    std::size_t done() const { return done_; }
    std::size_t failed() const { return failed_; }
    std::string stopped() const { return pacer_.stop_reason(); }
    std::vector<analytics::image>& kept() { return kept_; }

private:
    void work() {
        registry_client client(a_.server.host, a_.server.port, a_.server.token);
        for (std::size_t i; (i = next_++) < work_.images.size();) {
            if (!fetch_one(client, work_.images[i])) break;
            if ((++finished_images_) % images_per_quota_check == 0) check_quota(client);
        }
        finished_workers_++;
    }

    // False when the crawl must stop.
    bool fetch_one(registry_client& client, const image_ref& ref) {
        for (int attempt = 0; attempt < attempts_per_image; ++attempt) {
            const auto turn = pacer_.next_turn(ref.registry, crawl_pacer::clock::now());
            if (!turn) return false;
            std::this_thread::sleep_until(*turn);
            try {
                record(ref, crawl_image(client, ref, a_.platform));
                pacer_.answered();
                return true;
            } catch (const refused_error& e) {
                pacer_.refused(crawl_pacer::clock::now(), e.retry_after);
                if (attempt + 1 == attempts_per_image) fail(e.what());
            } catch (const journal_error& e) {  // later images would be fetched and lost
                pacer_.stop(e.what());
                return false;
            } catch (const std::exception& e) {  // HTTP errors, bad documents, dropped connections
                fail(e.what());
                return true;
            }
        }
        return true;
    }

    void record(const image_ref& ref, crawled c) {
        if (journal_)
            journal_->append({ref.key(), c.img.registry, c.img.repository, c.img.tag, c.img.digest, c.manifest, c.config});
        const std::lock_guard lock(mutex_);
        ++done_;
        if (!journal_) kept_.push_back(std::move(c.img));
    }

    void fail(const std::string& what) {
        const std::lock_guard lock(mutex_);
        ++failed_;
        std::cerr << (tty_line_ ? "\n" : "") << "strata analyze crawl: " << what << "\n";
        tty_line_ = false;
    }

    void check_quota(registry_client& client) {
        try {
            const auto res = client.get("/api/v1/stats", nullptr);
            const auto doc = analytics::parse_json_guarded(res.body());
            if (res.result() != http::status::ok || !doc.is_object() || !doc.contains("upstreams")) return;
            for (const auto& [name, state] : doc["upstreams"].items()) {
                if (!state.is_object()) continue;
                const auto sparing = state.find("sparing"), seconds = state.find("sparing_for_seconds");
                const bool is_sparing = sparing != state.end() && sparing->is_boolean() && sparing->get<bool>();
                const auto wait = seconds != state.end() && seconds->is_number_integer()
                                      ? std::clamp<std::int64_t>(seconds->get<std::int64_t>(), 0, 604'800)
                                      : 0;
                pacer_.quota(name, is_sparing, std::chrono::seconds(wait), crawl_pacer::clock::now());
            }
        } catch (const std::exception&) {  // stats are advice: a failed read changes nothing
        }
    }

    // A line on stderr while workers run, when stderr is a terminal.
    void show_progress(std::size_t workers) {
        if (!::isatty(STDERR_FILENO)) return;
        while (finished_workers_ < workers) {
            {
                const std::lock_guard lock(mutex_);
                std::cerr << "\rcrawl: " << done_ << " of " << work_.images.size() << " images, " << failed_
                          << " failed   " << std::flush;
                tty_line_ = true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
        std::cerr << "\n";
    }

    const crawl_args& a_;
    work_list& work_;
    crawl_journal* journal_;
    crawl_pacer pacer_;
    std::mutex mutex_;
    std::atomic<std::size_t> next_{0}, finished_workers_{0}, finished_images_{0}, done_{0}, failed_;
    std::vector<analytics::image> kept_;  // without a journal: what the table shows
    bool tty_line_ = false;
};

void add_shown(analytics::image_catalog& catalog, analytics::image img) {
    if (img.tag.empty()) img.tag = "@" + img.digest;  // the table lists images by tag; by digest shows it instead
    catalog.add(std::move(img));
}

// One repository's bundle, streamed from the journal: the manifests, then the configs, one
// entry in memory at a time; written to a temporary file, then renamed over the bundle.
void write_bundle(const fs::path& file, const crawl_journal::entry_reader& each, analytics::image_catalog& catalog) {
    fs::create_directories(file.parent_path());
    const auto temp = fs::path(file.string() + ".tmp");
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    const auto key_of = [](const journal_entry& e) { return e.tag.empty() ? "@" + e.digest : e.tag; };  // split_tag_key reads both
    const auto dump = [](const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); };
    json tags = json::array();
    for (const char* part : {"manifests", "configs"}) {
        out << (part[0] == 'm' ? "{\"" : "},\"") << part << "\":{";
        bool first = true;
        each([&](journal_entry& e) {
            out << (first ? "" : ",") << dump(key_of(e)) << ':' << dump(part[0] == 'm' ? e.manifest : e.config);
            first = false;
            if (part[0] == 'c') return;
            tags.push_back(key_of(e));
            analytics::image img{.registry = e.registry, .repository = e.repository, .tag = e.tag, .digest = e.digest};
            std::string config_digest;
            const auto manifest = analytics::json_document::parse(dump(e.manifest));
            const auto config = analytics::json_document::parse(dump(e.config));
            if (manifest && config && !analytics::read_image_manifest(manifest->root(), img, config_digest) &&
                !analytics::read_image_config(config->root(), img))
                add_shown(catalog, std::move(img));
        });
    }
    out << "},\"tags\":" << dump(tags) << "}\n";
    out.close();
    if (!out) throw std::runtime_error("cannot write " + temp.string());
    fs::rename(temp, file);
}

// The bundles of the whole journal, and its images for the table. Registry and repository
// names were checked when the journal was read or written: they stay under dir.
void save_bundles(const std::string& dir, const crawl_journal& journal, analytics::image_catalog& catalog) {
    journal.for_each_repository([&](const std::string& registry, const std::string& repository,
                                    const crawl_journal::entry_reader& each) {
        write_bundle(fs::path(dir) / registry / repository / "manifests-config-layers.json", each, catalog);
    });
}

int crawl(const crawl_args& a) {
    std::optional<data_dir_writer> data_dir;  // taken first: a data directory in use is refused before any fetch
    if (!a.data_dir.empty()) data_dir.emplace(a.data_dir);
    std::optional<crawl_journal> journal;
    if (!a.save.empty()) journal.emplace(a.save);
    if (journal && journal->damaged_lines())
        std::cerr << "strata analyze crawl: " << journal->damaged_lines() << " unreadable lines in "
                  << crawl_journal::file_in(a.save).string() << " skipped (a crawl killed while writing)\n";
    registry_client client(a.server.host, a.server.port, a.server.token);
    auto work = plan(a, journal ? &*journal : nullptr, client);
    crawl_run run(a, work, journal ? &*journal : nullptr);
    run.run();
    analytics::image_catalog catalog;
    if (journal) save_bundles(a.save, *journal, catalog);
    for (auto& img : run.kept()) add_shown(catalog, std::move(img));
    if (data_dir) {
        auto images = catalog.images();
        for (auto& img : images)
            if (img.tag.starts_with('@')) img.tag.clear();  // shown by digest in the table; saved without a tag
        data_dir->save(images);
        std::cerr << "saved " << catalog.images().size() << " images into " << a.data_dir << "\n";
    }
    auto table = analytics::trends_table(analytics::repository_trends(catalog.images(), 1));
    if (a.format == "json") std::cout << json{{"images", analytics::render_json(table)}, {"failed", run.failed()}}.dump(2) << "\n";
    else if (a.format == "csv") std::cout << analytics::render_csv(table);
    else std::cout << analytics::render_text(table);
    std::cerr << "crawled " << run.done() << " images, " << run.failed() << " failed";
    if (work.skipped) std::cerr << ", " << work.skipped << " skipped (saved before)";
    std::cerr << "\n";
    if (const auto why = run.stopped(); !why.empty()) {
        std::cerr << "strata analyze crawl: stopped: " << why << "; "
                  << (a.save.empty() ? "use --save DIR to resume later" : "run it again with --save " + a.save + " to resume")
                  << "\n";
        return 1;
    }
    return run.failed() ? 1 : 0;
}

}  // namespace

int run_crawl_command(const std::vector<std::string>& args) {
    return run_command("analyze crawl", crawl_usage, args, [&] { return crawl(parse_crawl_args(args)); });
}

}  // namespace strata::proxy

// crawl_command: a small synchronous registry client against strata's /v2/ API, the tag
// walk, and the bundle files it can save for later analyses.
#include "proxy/cli/crawl_command.hpp"

#include "proxy/cli/command_frame.hpp"
#include "proxy/cli/server_flags.hpp"
#include "analytics/analyses/analysis_tables.hpp"
#include "analytics/inputs/image_documents.hpp"
#include "analytics/inputs/json_input.hpp"
#include "proxy/config/config.hpp"
#include "proxy/net.hpp"

#include "storage/oci/digest.hpp"
#include "storage/oci/reference.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <iostream>
#include <optional>

namespace strata::proxy {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* crawl_usage =
    "usage: strata analyze crawl [--server http://127.0.0.1:5000] [--token-file F] [--all-tags]\n"
    "                            [--max-tags N] [--platform os/arch] [--save DIR]\n"
    "                            [--format table|json|csv] [--refs FILE] IMAGE...\n"
    "  Fetches each image's manifest and config through strata, so they are cached there too, and\n"
    "  prints sizes per tag in version order (semver-aware, then by config created). IMAGE is\n"
    "  ghcr.io/org/app:tag, ghcr.io/org/app@sha256:…, or ghcr.io/org/app with --all-tags for every\n"
    "  tag of the repository.\n"
    "  --refs FILE reads more IMAGEs, one per line (# comments), as `strata analyze dockerfiles\n"
    "  --refs-out` writes them.\n"
    "  --save writes DIR/<registry>/<repository>/manifests-config-layers.json for `strata analyze`.\n";

constexpr const char* manifest_accept =
    "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";
constexpr std::size_t max_document_bytes = std::size_t{16} << 20;
constexpr int max_tag_pages = 100;

struct crawl_args {
    strata_server server;
    std::string platform = "linux/amd64", save, format = "table";
    bool all_tags = false;
    std::size_t max_tags = 1000;
    std::vector<std::string> images;
};

constexpr std::size_t max_refs_file_bytes = std::size_t{16} << 20;

// One keep-alive connection to strata, reopened when the server closes it.
class registry_client {
public:
    registry_client(std::string host, std::string port, std::string token)
        : host_(std::move(host)), port_(std::move(port)), token_(std::move(token)) {}

    http::response<http::string_body> get(const std::string& target, const char* accept) {
        for (int attempt = 0;; ++attempt) {
            try {
                return get_once(target, accept);
            } catch (const boost::system::system_error&) {
                stream_.reset();
                if (attempt == 1) throw;
            }
        }
    }

private:
    http::response<http::string_body> get_once(const std::string& target, const char* accept) {
        if (!stream_) {
            stream_.emplace(io_);
            stream_->connect(tcp::resolver(io_).resolve(host_, port_));
        }
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, host_);
        if (accept) req.set(http::field::accept, accept);
        if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
        http::write(*stream_, req);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(max_document_bytes);
        http::read(*stream_, buffer, parser);
        auto res = parser.release();
        if (!res.keep_alive()) stream_.reset();
        return res;
    }

    std::string host_, port_, token_;
    asio::io_context io_;
    std::optional<beast::tcp_stream> stream_;
};

struct image_ref {
    std::string registry, repository, tag;  // registry: as given, "" for strata's default upstream
    std::string digest;                     // "sha256:…" for a pull by digest, else ""
    std::string path() const { return registry.empty() ? repository : registry + '/' + repository; }
    const std::string& reference() const { return digest.empty() ? tag : digest; }
};

image_ref parse_image_ref(const std::string& text, bool all_tags) {
    image_ref r;
    std::string rest = text;
    if (const auto at = rest.find('@'); at != std::string::npos) {
        r.digest = rest.substr(at + 1);
        rest.resize(at);
        if (!storage::digest::parse(r.digest)) throw usage_error("not a digest: " + text);
    }
    const auto slash = rest.find('/');
    if (slash != std::string::npos) {
        const auto first = rest.substr(0, slash);
        if (first == "localhost" || first.find_first_of(".:") != std::string::npos) r.registry = first, rest.erase(0, slash + 1);
    }
    const auto colon = rest.rfind(':');
    if (colon != std::string::npos) r.tag = rest.substr(colon + 1), rest.resize(colon);
    r.repository = rest;
    if (!storage::is_valid_repository(r.repository)) throw usage_error("not a repository name: " + text);
    if (!r.tag.empty() && !storage::is_valid_tag(r.tag)) throw usage_error("not a tag: " + text);
    if (r.tag.empty() && r.digest.empty() && !all_tags) r.tag = "latest";
    return r;
}

// IMAGEs from a file, one per line; blank lines and # comments skipped. Errors name the line.
void read_refs_file(const std::string& path, bool all_tags, std::vector<std::string>& images) {
    std::ifstream in(path);
    if (!in) throw usage_error("--refs: cannot read " + path);
    std::string line;
    for (std::size_t n = 1, bytes = 0; std::getline(in, line); ++n) {
        bytes += line.size() + 1;
        if (bytes > max_refs_file_bytes) throw usage_error("--refs: " + path + " is larger than 16 MiB");
        const auto first = line.find_first_not_of(" \t\r"), last = line.find_last_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        auto ref = line.substr(first, last - first + 1);
        try {
            parse_image_ref(ref, all_tags);
        } catch (const usage_error& e) {
            throw usage_error("--refs: " + path + " line " + std::to_string(n) + ": " + e.what());
        }
        images.push_back(std::move(ref));
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
        .value("--refs", [&a](const std::string& v) { read_refs_file(v, a.all_tags, a.images); })
        .value("--format", [&a](const std::string& v) { a.format = one_of("--format", v, {"table", "json", "csv"}); })
        .operands([&a](const std::string& v) { a.images.push_back(v); })
        .parse(args);
    if (a.images.empty()) throw usage_error("no images given");
    for (const auto& i : a.images) parse_image_ref(i, a.all_tags);  // reject bad names before any request
    return a;
}

// The next page's target from a Link header (`</v2/…>; rel="next"`), or "".
std::string next_page(const http::response<http::string_body>& res) {
    const auto link = std::string(res[http::field::link]);
    const auto open = link.find('<'), close = link.find('>');
    if (open == std::string::npos || close == std::string::npos || close < open) return {};
    return link.substr(open + 1, close - open - 1);
}

std::vector<std::string> list_tags(registry_client& client, const image_ref& ref, std::size_t max_tags) {
    std::vector<std::string> tags;
    std::string target = "/v2/" + ref.path() + "/tags/list";
    for (int page = 0; page < max_tag_pages && !target.empty() && tags.size() < max_tags; ++page) {
        const auto res = client.get(target, nullptr);
        if (res.result() != http::status::ok)
            throw std::runtime_error("tags of " + ref.path() + ": HTTP " + std::to_string(res.result_int()));
        const auto doc = analytics::parse_json_guarded(res.body());
        const auto it = doc.is_object() ? doc.find("tags") : doc.end();
        if (it == doc.end() || !it->is_array()) throw std::runtime_error("tags of " + ref.path() + ": malformed tag list");
        for (const auto& t : *it)
            if (t.is_string() && storage::is_valid_tag(t.get<std::string>()) && tags.size() < max_tags)
                tags.push_back(t.get<std::string>());
        target = next_page(res);
    }
    return tags;
}

// A JSON document whose bytes match digest (when one is given).
json fetch_document(registry_client& client, const std::string& target, const char* accept, const std::string& digest) {
    const auto res = client.get(target, accept);
    if (res.result() != http::status::ok) throw std::runtime_error(target + ": HTTP " + std::to_string(res.result_int()));
    const auto expected = storage::digest::parse(digest);
    if (!digest.empty() && (!expected || storage::digest_of(res.body(), expected->algorithm()) != *expected))
        throw std::runtime_error(target + ": content does not match " + digest);
    auto doc = analytics::parse_json_guarded(res.body());
    if (doc.is_discarded()) throw std::runtime_error(target + ": not JSON");
    return doc;
}

struct crawled {
    analytics::image img;
    json manifest, config;
};

crawled crawl_image(registry_client& client, const image_ref& ref, const std::string& platform) {
    crawled c{analytics::image{.registry = ref.registry.empty() ? "default" : ref.registry, .repository = ref.repository,
                               .tag = ref.tag},
              {}, {}};
    const auto base = "/v2/" + ref.path();
    c.img.digest = ref.digest;
    c.manifest = fetch_document(client, base + "/manifests/" + ref.reference(), manifest_accept, ref.digest);
    if (analytics::is_index_document(c.manifest)) {
        std::vector<analytics::index_entry> entries;
        if (auto error = analytics::read_index(c.manifest, entries)) throw std::runtime_error(ref.path() + ": " + *error);
        const auto match = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.platform == platform; });
        if (match == entries.end()) throw std::runtime_error(ref.path() + ":" + ref.reference() + ": no " + platform + " image");
        c.img.digest = match->digest;
        c.manifest = fetch_document(client, base + "/manifests/" + match->digest, manifest_accept, match->digest);
    }
    std::string config_digest;
    if (auto error = analytics::read_image_manifest(c.manifest, c.img, config_digest))
        throw std::runtime_error(ref.path() + ":" + ref.reference() + ": " + *error);
    c.config = fetch_document(client, base + "/blobs/" + config_digest, nullptr, config_digest);
    if (auto error = analytics::read_image_config(c.config, c.img))
        throw std::runtime_error(ref.path() + ":" + ref.reference() + ": " + *error);
    return c;
}

void save_bundles(const std::string& dir, const std::vector<crawled>& images) {
    std::map<std::string, json> bundles;
    for (const auto& c : images) {
        auto& b = bundles[c.img.registry + '/' + c.img.repository];
        const auto key = c.img.tag.empty() ? "@" + c.img.digest : c.img.tag;  // split_tag_key reads both
        b["manifests"][key] = c.manifest;
        b["configs"][key] = c.config;
        b["tags"].push_back(key);
    }
    for (const auto& [path, bundle] : bundles) {
        const auto out = fs::path(dir) / path / "manifests-config-layers.json";
        fs::create_directories(out.parent_path());
        std::ofstream f(out, std::ios::trunc);
        if (!(f << bundle.dump() << "\n")) throw std::runtime_error("cannot write " + out.string());
    }
}

int crawl(const crawl_args& a) {
    registry_client client(a.server.host, a.server.port, a.server.token);
    std::vector<crawled> done;
    std::size_t failed = 0;
    for (const auto& text : a.images) {
        const auto ref = parse_image_ref(text, a.all_tags);
        std::vector<std::string> tags{ref.tag};
        if (ref.tag.empty() && ref.digest.empty()) {
            try {
                tags = list_tags(client, ref, a.max_tags);
            } catch (const std::runtime_error& e) {
                ++failed;
                std::cerr << "strata analyze crawl: " << e.what() << "\n";
                continue;
            }
        }
        for (const auto& tag : tags) {
            auto one = ref;
            one.tag = tag;
            try {
                done.push_back(crawl_image(client, one, a.platform));
            } catch (const std::runtime_error& e) {
                ++failed;
                std::cerr << "strata analyze crawl: " << e.what() << "\n";
            }
        }
    }
    if (!a.save.empty()) save_bundles(a.save, done);
    analytics::image_catalog catalog;
    for (const auto& c : done) {
        auto shown = c.img;  // the table lists images by tag; one pulled by digest shows it instead
        if (shown.tag.empty()) shown.tag = "@" + shown.digest;
        catalog.add(std::move(shown));
    }
    auto table = analytics::trends_table(analytics::repository_trends(catalog.images(), 1));
    if (a.format == "json") std::cout << json{{"images", analytics::render_json(table)}, {"failed", failed}}.dump(2) << "\n";
    else if (a.format == "csv") std::cout << analytics::render_csv(table);
    else std::cout << analytics::render_text(table);
    std::cerr << "crawled " << done.size() << " images, " << failed << " failed\n";
    return failed ? 1 : 0;
}

}  // namespace

int run_crawl_command(const std::vector<std::string>& args) {
    return run_command("analyze crawl", crawl_usage, args, [&] { return crawl(parse_crawl_args(args)); });
}

}  // namespace strata::proxy

// crawl_client: Beast's synchronous HTTP, strata's error answers, the index-to-platform step.
#include "proxy/cli/crawl_client.hpp"

#include "analytics/inputs/image_documents.hpp"
#include "analytics/inputs/json_input.hpp"
#include "proxy/cli/flags.hpp"
#include "storage/oci/digest.hpp"
#include "storage/oci/reference.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace strata::proxy {
namespace {

using json = nlohmann::json;

constexpr const char* manifest_accept =
    "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";
constexpr std::size_t max_document_bytes = std::size_t{16} << 20;
constexpr int max_tag_pages = 100;
// A connect, a request or a whole answer (up to 16 MiB) taking longer fails that request: a
// stalled server never hangs a worker.
constexpr std::chrono::seconds operation_timeout{120};

// Retry-After in seconds (the only form strata sends), or nullopt.
std::optional<std::chrono::seconds> retry_after_of(const http::response<http::string_body>& res) {
    const auto v = res[http::field::retry_after];
    unsigned long s = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || s > 86400) return std::nullopt;
    return std::chrono::seconds(s);
}

void throw_unless_ok(const http::response<http::string_body>& res, const std::string& what) {
    const auto status = res.result();
    if (status == http::status::ok) return;
    const auto text = what + ": HTTP " + std::to_string(res.result_int());
    if (status == http::status::too_many_requests || status == http::status::service_unavailable)
        throw refused_error(text, retry_after_of(res));
    throw std::runtime_error(text);
}

// The next page's target from a Link header (`</v2/…>; rel="next"`), or "".
std::string next_page(const http::response<http::string_body>& res) {
    const auto link = std::string(res[http::field::link]);
    const auto open = link.find('<'), close = link.find('>');
    if (open == std::string::npos || close == std::string::npos || close < open) return {};
    return link.substr(open + 1, close - open - 1);
}

// A JSON document whose bytes match digest (when one is given): read by the analytics readers
// (simdjson), and kept as a value for the journal.
struct fetched_document {
    analytics::json_document read;
    json kept;
};

fetched_document fetch_document(registry_client& client, const std::string& target, const char* accept,
                                const std::string& digest) {
    const auto res = client.get(target, accept);
    throw_unless_ok(res, target);
    const auto expected = storage::digest::parse(digest);
    if (!digest.empty() && (!expected || storage::digest_of(res.body(), expected->algorithm()) != *expected))
        throw std::runtime_error(target + ": content does not match " + digest);
    auto read = analytics::json_document::parse(res.body());
    auto kept = analytics::parse_json_guarded(res.body());
    if (!read || kept.is_discarded()) throw std::runtime_error(target + ": not JSON");
    return {std::move(*read), std::move(kept)};
}

}  // namespace

http::response<http::string_body> registry_client::get(const std::string& target, const char* accept) {
    for (int attempt = 0;; ++attempt) {
        try {
            return get_once(target, accept);
        } catch (const boost::system::system_error&) {
            stream_.reset();
            if (attempt == 1) throw;
        }
    }
}

// Runs one asynchronous operation on io to completion; the stream's deadline bounds it.
template <typename Start>
void run_one(asio::io_context& io, Start start) {
    beast::error_code ec;
    start([&ec](beast::error_code e, auto&&...) { ec = e; });
    io.restart();
    io.run();
    if (ec) throw boost::system::system_error(ec);
}

http::response<http::string_body> registry_client::get_once(const std::string& target, const char* accept) {
    if (!stream_) {
        const auto endpoints = tcp::resolver(io_).resolve(host_, port_);
        stream_.emplace(io_);
        stream_->expires_after(operation_timeout);
        run_one(io_, [&](auto done) { stream_->async_connect(endpoints, done); });
    }
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, host_);
    if (accept) req.set(http::field::accept, accept);
    if (!token_.empty()) req.set(http::field::authorization, "Bearer " + token_);
    stream_->expires_after(operation_timeout);
    run_one(io_, [&](auto done) { http::async_write(*stream_, req, done); });
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_document_bytes);
    stream_->expires_after(operation_timeout);
    run_one(io_, [&](auto done) { http::async_read(*stream_, buffer, parser, done); });
    auto res = parser.release();
    if (!res.keep_alive()) stream_.reset();
    return res;
}

image_ref parse_image_ref(const std::string& text, bool all_tags) {
    image_ref r;
    std::string rest = text;
    if (const auto at = rest.find('@'); at != std::string::npos) {
        r.digest = rest.substr(at + 1);
        rest.resize(at);
        if (!storage::digest::parse(r.digest)) throw usage_error("not a digest: " + storage::log_value(text));
    }
    const auto slash = rest.find('/');
    if (slash != std::string::npos) {
        const auto first = rest.substr(0, slash);
        if (first == "localhost" || first.find_first_of(".:") != std::string::npos) r.registry = first, rest.erase(0, slash + 1);
    }
    // The registry becomes a request path and a directory under --save: a host name, never "..".
    if (!r.registry.empty() && !storage::is_valid_registry_host(r.registry))
        throw usage_error("not a registry host: " + storage::log_value(text));
    const auto colon = rest.rfind(':');
    if (colon != std::string::npos) r.tag = rest.substr(colon + 1), rest.resize(colon);
    r.repository = rest;
    if (!storage::is_valid_repository(r.repository)) throw usage_error("not a repository name: " + storage::log_value(text));
    if (!r.tag.empty() && !storage::is_valid_tag(r.tag)) throw usage_error("not a tag: " + storage::log_value(text));
    if (r.tag.empty() && r.digest.empty() && !all_tags) r.tag = "latest";
    return r;
}

std::vector<std::string> list_tags(registry_client& client, const image_ref& ref, std::size_t max_tags) {
    std::vector<std::string> tags;
    std::set<std::string> seen;
    std::string target = "/v2/" + ref.path() + "/tags/list";
    for (int page = 0; page < max_tag_pages && !target.empty() && tags.size() < max_tags; ++page) {
        const auto res = client.get(target, nullptr);
        throw_unless_ok(res, "tags of " + ref.path());
        const auto doc = analytics::parse_json_guarded(res.body());
        const auto it = doc.is_object() ? doc.find("tags") : doc.end();
        if (it == doc.end() || !it->is_array()) throw std::runtime_error("tags of " + ref.path() + ": malformed tag list");
        for (const auto& t : *it)
            if (t.is_string() && storage::is_valid_tag(t.get<std::string>()) && tags.size() < max_tags &&
                seen.insert(t.get<std::string>()).second)  // a page repeating tags (or itself) adds nothing
                tags.push_back(t.get<std::string>());
        target = next_page(res);
    }
    return tags;
}

crawled crawl_image(registry_client& client, const image_ref& ref, const std::string& platform) {
    crawled c{analytics::image{.registry = ref.registry.empty() ? "default" : ref.registry, .repository = ref.repository,
                               .tag = ref.tag},
              {}, {}};
    const auto base = "/v2/" + ref.path();
    c.img.digest = ref.digest;
    auto manifest = fetch_document(client, base + "/manifests/" + ref.reference(), manifest_accept, ref.digest);
    if (analytics::is_index_document(manifest.read.root())) {
        std::vector<analytics::index_entry> entries;
        if (auto error = analytics::read_index(manifest.read.root(), entries))
            throw std::runtime_error(ref.path() + ": " + *error);
        const auto match = std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.platform == platform; });
        if (match == entries.end()) throw std::runtime_error(ref.path() + ":" + ref.reference() + ": no " + platform + " image");
        c.img.digest = match->digest;
        manifest = fetch_document(client, base + "/manifests/" + match->digest, manifest_accept, match->digest);
    }
    std::string config_digest;
    if (auto error = analytics::read_image_manifest(manifest.read.root(), c.img, config_digest))
        throw std::runtime_error(ref.path() + ":" + ref.reference() + ": " + *error);
    auto config = fetch_document(client, base + "/blobs/" + config_digest, nullptr, config_digest);
    if (auto error = analytics::read_image_config(config.read.root(), c.img))
        throw std::runtime_error(ref.path() + ":" + ref.reference() + ": " + *error);
    c.manifest = std::move(manifest.kept);
    c.config = std::move(config.kept);
    return c;
}

}  // namespace strata::proxy

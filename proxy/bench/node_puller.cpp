// node_puller: HEAD, manifest, config, then layers through one shaped link, each one verified.
#include "proxy/bench/node_puller.hpp"

#include "analytics/inputs/json_input.hpp"
#include "proxy/bench/concurrently.hpp"
#include "proxy/upstream/upstream_client.hpp"
#include "storage/clock.hpp"
#include "storage/oci/digest.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <array>
#include <optional>
#include <stdexcept>

namespace strata::proxy {

struct node_puller::layer {
    std::string digest, media_type;
    std::uint64_t size = 0;
    std::size_t index = 0;
};

namespace {

constexpr const char* manifest_accept =
    "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json";
constexpr std::size_t max_document_bytes = std::size_t{4} << 20;
// What a manifest may ask of a node: more layers would mean as many coroutines and buffers.
constexpr std::size_t max_layers = 1000;
constexpr std::uint64_t max_layer_bytes = std::uint64_t{1} << 40;
// Per layer in flight: 256 nodes x 3 layers of it must stay far below the bench's memory target.
constexpr std::size_t read_bytes = 128 * 1024;

// A digest as the registry sent it when it is one, else "".
std::string valid_digest(std::string_view text) {
    const auto d = storage::digest::parse(text);
    return d ? d->str() : std::string();
}

std::string text_of(const nlohmann::json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

// The linux/amd64 entry of an index (else its first), or "" when there is none.
std::string platform_manifest(const nlohmann::json& index) {
    if (!index.contains("manifests") || !index["manifests"].is_array()) return {};
    std::string first;
    for (const auto& m : index["manifests"]) {
        const auto digest = valid_digest(text_of(m, "digest"));
        if (digest.empty()) continue;
        if (first.empty()) first = digest;
        const auto platform = m.is_object() && m.contains("platform") ? m["platform"] : nlohmann::json();
        if (text_of(platform, "os") == "linux" && text_of(platform, "architecture") == "amd64") return digest;
    }
    return first;
}

// Runs an unpacking step; its error, if any, names the blob's URL.
template <class F>
void naming(const std::string& target, F step) {
    try {
        step();
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(target + ": " + e.what());
    }
}

std::string config_label(const nlohmann::json& config, const char* key) {
    if (!config.is_object() || !config.contains("config") || !config["config"].is_object()) return {};
    const auto& c = config["config"];
    return c.contains("Labels") ? text_of(c["Labels"], key) : std::string();
}

}  // namespace

node_puller::node_puller(const upstream_config& target, node_options options)
    : client_(std::make_unique<upstream_client>(target, timeout_config{}, client_config{}, nullptr)),
      options_(std::move(options)), link_(options_.bandwidth) {}

node_puller::~node_puller() = default;

http::fields node_puller::request_headers(const char* accept) const {
    http::fields h;
    if (accept) h.set(http::field::accept, accept);
    h.set(http::field::user_agent, "strata-bench/1 (containerd-like puller)");
    if (options_.source == "proxy") h.set("X-Strata-Node", options_.node);
    return h;
}

awaitable<void> node_puller::wait_rtt() {
    if (options_.rtt.count() <= 0) co_return;
    asio::steady_timer t(co_await asio::this_coro::executor, options_.rtt);
    co_await t.async_wait(asio::use_awaitable);
}

awaitable<void> node_puller::cross_link(std::uint64_t bytes) {
    const auto now = link_shaper::clock::now();
    const auto until = link_.pass(bytes, now);
    if (until <= now) co_return;
    asio::steady_timer t(co_await asio::this_coro::executor, until);
    co_await t.async_wait(asio::use_awaitable);
}

awaitable<std::string> node_puller::fetch_document(const std::string& repository, const std::string& target,
                                                   const std::string& digest, image_pull& out, bool use_cache) {
    request_record r{target.find("/blobs/") == std::string::npos ? "manifest" : "blob", "GET", digest,
                     options_.source};
    r.start_ns = storage::now_ns();
    if (const auto held = documents_.find(digest); use_cache && held != documents_.end()) {
        r.source = "node-cache";
        r.status = 200;
        r.ttfb_ns = r.end_ns = r.start_ns;
        out.requests.push_back(std::move(r));
        out.size += held->second.size();
        co_return held->second;
    }
    co_await wait_rtt();
    auto res = co_await client_->fetch(http::verb::get, target, request_headers(manifest_accept), max_document_bytes,
                                       repository);
    if (!res) throw std::runtime_error(target + ": " + res.error().message());
    r.status = res->status;
    if (res->status != 200) throw std::runtime_error(target + ": HTTP " + std::to_string(res->status));
    co_await cross_link(res->body.size());
    const auto expected = storage::digest::parse(digest);
    if (!digest.empty() && (!expected || storage::digest_of(res->body, expected->algorithm()) != *expected))
        throw std::runtime_error(target + ": the content does not match " + storage::printable(digest));
    r.bytes = res->body.size();
    r.ttfb_ns = r.end_ns = storage::now_ns();
    out.bytes += r.bytes;
    out.requests.push_back(std::move(r));
    out.size += res->body.size();
    if (!digest.empty()) documents_[digest] = res->body;
    co_return std::move(res->body);
}

awaitable<void> node_puller::fetch_layer(layer& l, image_pull& out) {
    request_record r{"blob", "GET", l.digest, options_.source};
    r.start_ns = storage::now_ns();
    co_await wait_rtt();
    const auto target = "/v2/" + out.repository + "/blobs/" + l.digest;
    auto stream = co_await client_->open(target, request_headers(nullptr), out.repository);
    if (!stream) throw std::runtime_error(target + ": " + stream.error().message());
    r.status = stream->status();
    r.ttfb_ns = storage::now_ns();
    if (r.status != 200) throw std::runtime_error(target + ": HTTP " + std::to_string(r.status));
    const auto expected = storage::digest::parse(l.digest);
    if (!expected) throw std::runtime_error("the manifest names a layer digest that is not valid");
    storage::digest_hasher hash(expected->algorithm());
    const auto extracted = options_.extract_root / options_.node / std::to_string(l.index);
    // The files go whatever happens: a layer that fails its digest leaves nothing behind.
    const std::unique_ptr<const std::filesystem::path, void (*)(const std::filesystem::path*)> remove_files(
        options_.unpack == unpack_mode::extract ? &extracted : nullptr, [](const std::filesystem::path* p) {
            std::error_code ec;
            std::filesystem::remove_all(*p, ec);
        });
    layer_unpacker unpacker(options_.unpack, l.media_type, extracted, l.size);
    std::vector<unsigned char> buffer(read_bytes);
    for (;;) {
        error_code ec;
        const auto n = co_await stream->read(buffer.data(), buffer.size(), ec);
        if (ec) throw std::runtime_error(target + ": " + ec.message());
        if (n == 0) break;
        r.bytes += n;
        if (r.bytes > l.size) break;
        hash.update(buffer.data(), n);
        naming(target, [&] { unpacker.feed(buffer.data(), n); });
        co_await cross_link(n);
    }
    if (r.bytes != l.size)
        throw std::runtime_error(target + ": " + std::to_string(r.bytes) + " bytes, the manifest says " +
                                 std::to_string(l.size));
    if (hash.finish() != *expected) throw std::runtime_error(target + ": the content does not match its digest");
    naming(target, [&] { unpacker.finish(); });
    r.end_ns = storage::now_ns();
    out.bytes += r.bytes;
    out.requests.push_back(std::move(r));
    cache_.insert(l.digest);
}

awaitable<void> node_puller::fetch_layers(std::vector<layer>& layers, image_pull& out, bool use_cache) {
    std::vector<layer*> wanted;
    for (auto& l : layers) {
        if (use_cache && cache_.count(l.digest)) {
            ++out.layers_cached;
            out.requests.push_back({"blob", "GET", l.digest, "node-cache", 0, storage::now_ns(), 0, 0, 200});
            out.requests.back().ttfb_ns = out.requests.back().end_ns = out.requests.back().start_ns;
            continue;
        }
        wanted.push_back(&l);
    }
    const auto workers = options_.concurrency == 0 ? wanted.size() : std::min<std::size_t>(options_.concurrency, wanted.size());
    std::size_t next = 0;
    co_await concurrently(workers, [&](std::size_t) -> awaitable<void> {
        while (next < wanted.size()) co_await fetch_layer(*wanted[next++], out);
    });
}

awaitable<image_pull> node_puller::pull(std::string repository, std::string reference, bool use_cache) {
    image_pull out;
    out.node = options_.node, out.repository = repository, out.reference = reference;
    out.start_ns = storage::now_ns();
    try {
        request_record head{"manifest", "HEAD", "", options_.source};
        head.start_ns = storage::now_ns();
        co_await wait_rtt();
        const auto target = "/v2/" + repository + "/manifests/" + reference;
        auto res = co_await client_->fetch(http::verb::head, target, request_headers(manifest_accept), 0, repository);
        if (!res) throw std::runtime_error(target + ": " + res.error().message());
        head.status = res->status;
        head.ttfb_ns = head.end_ns = storage::now_ns();
        if (res->status == 404) throw std::runtime_error("image " + repository + ":" + reference + " does not exist");
        if (res->status != 200) throw std::runtime_error(target + ": HTTP " + std::to_string(res->status));
        out.digest = valid_digest(res->headers["Docker-Content-Digest"]);
        head.digest = out.digest;
        out.requests.push_back(head);
        auto manifest = analytics::parse_json_guarded(
            co_await fetch_document(repository, "/v2/" + repository + "/manifests/" + (out.digest.empty() ? reference : out.digest),
                                    out.digest, out, use_cache));
        if (const auto child = platform_manifest(manifest); !child.empty())
            manifest = analytics::parse_json_guarded(
                co_await fetch_document(repository, "/v2/" + repository + "/manifests/" + child, child, out, use_cache));
        if (!manifest.is_object() || !manifest.contains("layers") || !manifest["layers"].is_array())
            throw std::runtime_error(repository + ":" + reference + ": the manifest lists no layers");
        const auto config = valid_digest(text_of(manifest.value("config", nlohmann::json()), "digest"));
        if (config.empty()) throw std::runtime_error(repository + ":" + reference + ": the config digest is not valid");
        const auto config_doc =
            analytics::parse_json_guarded(co_await fetch_document(repository, "/v2/" + repository + "/blobs/" + config, config, out, use_cache));
        out.shape = storage::printable(config_label(config_doc, "org.strata.bench.shape").substr(0, 64));
        std::vector<layer> layers;
        if (manifest["layers"].size() > max_layers)
            throw std::runtime_error(repository + ":" + reference + ": the manifest lists over " +
                                     std::to_string(max_layers) + " layers");
        for (const auto& d : manifest["layers"]) {
            const auto size = d.is_object() && d.contains("size") && d["size"].is_number_unsigned() ? d["size"].get<std::uint64_t>() : 0;
            if (size > max_layer_bytes) throw std::runtime_error(repository + ":" + reference + ": a layer over 1 TiB");
            const auto digest = valid_digest(text_of(d, "digest"));
            if (digest.empty()) throw std::runtime_error(repository + ":" + reference + ": a layer's digest is not valid");
            layers.push_back({digest, storage::printable(text_of(d, "mediaType").substr(0, 200)), size, layers.size()});
            out.size += size;
        }
        out.layers = static_cast<unsigned>(layers.size());
        co_await fetch_layers(layers, out, use_cache);
        out.ok = true;
    } catch (const std::exception& e) {
        out.error = storage::printable(e.what());
    }
    out.end_ns = storage::now_ns();
    co_return out;
}

}  // namespace strata::proxy

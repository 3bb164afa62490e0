// crawl_client: the crawl's synchronous client of strata's /v2/ API: image references, tag
// lists, and one image's manifest and config, checked against their digests.
#pragma once

#include "analytics/inputs/image.hpp"
#include "proxy/net.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace strata::proxy {

// An IMAGE of the crawl: registry/repository:tag or registry/repository@digest.
struct image_ref {
    std::string registry, repository, tag;  // registry: as given, "" for strata's default upstream
    std::string digest;                     // "sha256:…" for a pull by digest, else ""
    std::string path() const { return registry.empty() ? repository : registry + '/' + repository; }
    const std::string& reference() const { return digest.empty() ? tag : digest; }
    // What the journal records it as: path:tag or path@digest.
    std::string key() const { return path() + (digest.empty() ? ":" + tag : "@" + digest); }
};

// Throws usage_error for a name, tag or digest that is not valid. Without a tag or digest the
// tag is "latest", unless all_tags (then the tag stays empty: every tag is wanted).
image_ref parse_image_ref(const std::string& text, bool all_tags);

// strata refused for now (429, or 503 while an upstream is down): try again later.
struct refused_error : std::runtime_error {
    refused_error(const std::string& what, std::optional<std::chrono::seconds> retry_after)
        : std::runtime_error(what), retry_after(retry_after) {}
    std::optional<std::chrono::seconds> retry_after;
};

// One keep-alive connection to strata, reopened when the server closes it. Not thread-safe:
// one per worker.
class registry_client {
public:
    registry_client(std::string host, std::string port, std::string token)
        : host_(std::move(host)), port_(std::move(port)), token_(std::move(token)) {}

    // One GET (retried once on a dropped keep-alive connection); bodies over 16 MiB are refused,
    // and each step (connect, send, the whole answer) fails after 120 s.
    http::response<http::string_body> get(const std::string& target, const char* accept);

private:
    http::response<http::string_body> get_once(const std::string& target, const char* accept);

    std::string host_, port_, token_;
    asio::io_context io_;
    std::optional<beast::tcp_stream> stream_;
};

// Up to max_tags tags of ref's repository, following Link pages. Throws std::runtime_error.
std::vector<std::string> list_tags(registry_client& client, const image_ref& ref, std::size_t max_tags);

struct crawled {
    analytics::image img;
    nlohmann::json manifest, config;
};

// The image's manifest (the platform's, from an index) and config, each checked against its
// digest. Throws refused_error when strata asks to wait, std::runtime_error otherwise.
crawled crawl_image(registry_client& client, const image_ref& ref, const std::string& platform);

}  // namespace strata::proxy

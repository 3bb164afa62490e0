// strata's configuration: embedded defaults, the JSON file, and command-line overrides.
#pragma once

#include "proxy/protocol/retry_policy.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace strata::proxy {

// Where an upstream registry is reached, parsed from its "url".
struct upstream_origin {
    bool tls = true;
    std::string host;  // DNS name or IP literal to connect to
    std::string port;  // "443", "80" or explicit
};

struct upstream_config {
    std::string name;                   // what clients call it: "ghcr.io", "docker.io"
    std::vector<std::string> aliases;   // other names accepted for it
    std::string url;                    // "https://ghcr.io"
    upstream_origin origin;             // parsed from url
    bool docker_hub = false;            // single-component names get "library/"
    std::string username;
    std::string password;
    std::string token_file;             // file whose content is the password (e.g. a PAT); read at start
    bool tls_verify = true;
    std::string ca_file;                // PEM bundle; empty means the system CAs
    std::chrono::seconds tag_ttl{300};
    // At or below this many remaining pulls (RateLimit-Remaining, as Docker Hub sends it), or
    // after a 429, tags past their TTL are served from cache, marked stale, instead of pulled.
    std::uint64_t quota_floor = 10;
    // Who may read cached content by digest under a repository that has not been seen to hold
    // it: "public" serves it to anyone, "confirm" asks the upstream once (a HEAD with this
    // upstream's credentials) and records the answer. Empty: "public" without credentials,
    // "confirm" with them.
    std::string access;
    // Hosts a redirect may lead to even when they resolve to loopback, link-local or private
    // addresses (a registry's own storage on the same network).
    std::vector<std::string> redirect_hosts;
    // Add ?ns=<name> to every request, as containerd does for a mirror: for an upstream that is
    // another strata (two tiers), which then knows which of its upstreams is meant.
    bool send_ns = false;

    bool confirms_access() const { return access == "confirm"; }
};

struct timeout_config {
    std::chrono::milliseconds connect{5000};
    std::chrono::milliseconds tls_handshake{5000};
    std::chrono::milliseconds headers{30000};   // request sent to response headers received
    std::chrono::milliseconds idle_body{30000}; // longest pause inside a body
    std::chrono::milliseconds client_idle{60000};
};

// When an upstream counts as down (circuit_breaker): after `failures` connect failures or
// timeouts in a row it is not asked for `backoff` (doubling, up to max_backoff, with jitter)
// while one probe request at a time tests whether it is back.
struct breaker_config {
    unsigned failures = 3;  // 0: never down
    std::chrono::milliseconds backoff{1000};
    std::chrono::milliseconds max_backoff{60000};
};

// How strata talks to upstreams: connection reuse, redirects, retries and the circuit breaker.
struct client_config {
    std::size_t max_idle_per_host = 16;
    std::chrono::milliseconds idle_connection{30000};
    int max_redirects = 5;
    retry_config retries;
    std::size_t max_downloads_per_upstream = 32;  // blob downloads at once; later ones queue
    std::size_t token_cache_bytes = 4 << 20;      // bearer tokens kept in memory
    breaker_config breaker;
};

// The pull event log: queue, batching and retention.
struct event_config {
    bool enabled = true;
    std::size_t queue_capacity = 65536;
    std::size_t batch_max = 4096;
    std::chrono::milliseconds flush_interval{200};
    std::chrono::hours retention{24 * 30};
    std::uint64_t max_bytes = 1ull << 30;
};

// The admin API (/api/...): a bearer token when set; without one, loopback clients only.
struct admin_config {
    std::string token;
    std::string token_file;
};

// Who may pull: with a users file, every registry request needs a user's credentials (Basic or
// Bearer) and stays within that user's upstreams and repository prefixes.
struct pull_auth_config {
    std::string users_file;  // empty: anyone who reaches the listener may pull
};

// HTTPS on the main listener: a PEM certificate chain and its key, reread when either changes.
struct listener_tls_config {
    std::string cert_file;  // empty: plain HTTP
    std::string key_file;
    std::chrono::milliseconds reload_check{2000};  // how often the files are looked at
    bool enabled() const { return !cert_file.empty(); }
};

struct server_config {
    std::string listen = "127.0.0.1:5000";
    listener_tls_config tls;
    std::string metrics_listen;    // optional second address serving /metrics, /healthz, /readyz
    bool metrics = true;           // serve /metrics
    unsigned io_threads = 0;       // 0: one per core
    unsigned blocking_threads = 4; // RocksDB, fsync
    // Client connections at once; past it the longest-idle connection is closed. 0: derived from
    // the file-descriptor limit, less a reserve for the store and upstream connections.
    std::size_t max_connections = 0;
    // On SIGTERM or SIGINT: how long responses in flight may take to finish once strata stops
    // accepting; past it the rest are cut off.
    std::chrono::milliseconds shutdown_grace{15000};
};

struct cache_config {
    std::filesystem::path data_dir = "./var/strata";
    std::size_t max_manifest_bytes = 4 * 1024 * 1024;
    std::size_t manifest_memory_entries = 4096;
    std::size_t manifest_memory_bytes = 64 << 20;  // hot manifests kept in memory
    std::size_t tag_list_memory_bytes = 32 << 20;  // upstream tag lists kept in memory
    bool offline = false;
    // An upstream's 404 for a tag or manifest is answered from memory this long: 0 asks again
    // every time.
    std::chrono::milliseconds not_found_ttl{5000};
    // A tag past its TTL waits this long for the upstream's answer to its revalidation; then the
    // cached mapping is served, marked stale, and the revalidation finishes in the background.
    std::chrono::milliseconds stale_wait{1000};
    bool complete_abandoned_fetches = true;  // finish a blob download after its last client left
    // A Range request for bytes not on disk yet is answered from the upstream at once; with this,
    // the whole blob is also fetched into the cache, as for any miss.
    bool range_fetches_whole = true;
};

// The store's byte budget and eviction (cache_evictor), and images it never evicts.
struct storage_config {
    std::uint64_t max_bytes = 0;  // 0: unbounded
    // The largest blob strata will download; a larger announced length is refused before writing.
    std::uint64_t max_blob_bytes = 64ull << 30;
    double high_watermark = 0.95;
    double low_watermark = 0.85;
    std::string eviction_policy = "lru";
    // "upstream/repository:tag" or "upstream/repository@sha256:...": never evicted.
    std::vector<std::string> pinned;
    // Tag mappings and manifests unused for this long are deleted (checked at start and every
    // 6 hours); 0 keeps them forever.
    std::chrono::hours metadata_max_age{24 * 90};
};

struct analytics_config {
    // A JSON price table (see analytics/analyses/pull_cost.hpp) for /api/v1/analytics/cost and the
    // report's cost section; read and checked at start.
    std::string prices_file;
};

struct config {
    server_config server;
    cache_config cache;
    storage_config storage;
    timeout_config timeouts;
    client_config client;
    event_config events;
    admin_config admin;
    pull_auth_config pull_auth;
    analytics_config analytics;
    std::string default_upstream = "docker.io";
    std::vector<upstream_config> upstreams;
    std::string log_level = "info";
    std::string log_format = "text";  // "text" or "json" (one object per line, for log shippers)

    // The upstream whose name or alias is host, or nullptr.
    const upstream_config* find_upstream(std::string_view host) const;
};

// Thrown for any invalid setting; what() names the field.
struct config_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The built-in configuration: docker.io, ghcr.io, quay.io, nvcr.io, registry.k8s.io and
// mcr.microsoft.com over HTTPS; listen 127.0.0.1:5000; data under ./var/strata.
config default_config();

// Reads a JSON config over the defaults. Unknown fields and wrong types are errors.
config load_config_file(const std::filesystem::path& path);
config parse_config(const std::string& json_text);

// Parses "https://host[:port]" or "http://host[:port]" (no path; host a DNS name, IPv4 or
// bracketed IPv6 literal; port 1-65535). Never throws: nullopt with *why set on bad input.
std::optional<upstream_origin> try_parse_origin(std::string_view url, std::string* why = nullptr);
// The same, for configuration: throws config_error naming field.
upstream_origin parse_origin(const std::string& url, const std::string& field);

// Reads a secret (password, token) from a file, without trailing white space. Throws
// config_error naming field if the file is unreadable or empty.
std::string read_secret_file(const std::string& path, const std::string& field);

// Checks cross-field rules (default upstream exists, names unique). Throws config_error.
void validate(const config& c);

}  // namespace strata::proxy

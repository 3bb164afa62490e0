// upstream_client: requests to one configured upstream registry, with pooling, auth, redirects and retries.
#pragma once

#include "proxy/config/config.hpp"
#include "proxy/upstream/circuit_breaker.hpp"
#include "proxy/upstream/connection_pool.hpp"
#include "proxy/observe/metrics.hpp"
#include "proxy/net.hpp"
#include "proxy/upstream/redirect_policy.hpp"
#include "proxy/protocol/token_flow.hpp"
#include "proxy/upstream/token_cache.hpp"
#include "proxy/upstream/upstream_connection.hpp"
#include "proxy/upstream/upstream_quota.hpp"
#include "proxy/protocol/www_authenticate.hpp"
#include "storage/oci/error.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace strata::proxy {

// A response whose body was read into memory (manifests, tag lists, tokens).
struct buffered_response {
    unsigned status = 0;
    http::fields headers;
    std::string body;
};

// One request/response in progress: the connection and the parser holding the headers.
struct exchange {
    std::unique_ptr<upstream_connection> conn;
    std::unique_ptr<http::response_parser<http::buffer_body>> parser;
    std::string origin;
};

// A response whose body is still on the wire (blobs). Read it with read(). When the whole
// body has been read and the upstream allows keep-alive, the connection goes back to the pool.
class response_stream {
public:
    response_stream(exchange ex, std::shared_ptr<connection_pool> pool, std::chrono::milliseconds idle_timeout,
                    metrics* m, std::string upstream);
    response_stream(response_stream&&) = default;
    ~response_stream();

    unsigned status() const { return ex_.parser->get().result_int(); }
    const http::fields& headers() const { return ex_.parser->get().base(); }
    std::optional<std::uint64_t> content_length() const {
        const auto n = ex_.parser->content_length();
        return n ? std::optional<std::uint64_t>(*n) : std::nullopt;
    }

    // Reads up to size body bytes; 0 with no error means the body is complete.
    awaitable<std::size_t> read(void* data, std::size_t size, error_code& ec);

private:
    bool complete() const;

    exchange ex_;
    // A body of known length, not chunked, is read past the parser, straight into the caller's
    // buffer (no copy, and reads as large as that buffer): these are its bytes still to come.
    std::optional<std::uint64_t> raw_left_;
    std::shared_ptr<connection_pool> pool_;
    std::chrono::milliseconds idle_timeout_;
    metrics* metrics_;
    std::string upstream_;
};

// Talks to one upstream. Thread-safe. For every request it:
//  - reuses a pooled keep-alive connection to the origin when one is idle;
//  - sends the cached bearer token for the repository's pull scope; on 401 it reads the
//    WWW-Authenticate challenge, gets a token from the realm (anonymously, or with the
//    configured credentials by the POST form flow, falling back to GET with Basic auth)
//    and retries once; Basic challenges are answered with the credentials;
//  - follows redirects up to client.max_redirects, never sending Authorization to another origin,
//    never from https to http, and never to an internal address (checked after resolution, and
//    the connection made to the checked address) unless redirect_policy allows it;
//  - sends credentials to a token realm only on its own origin or over verified TLS; otherwise
//    asks for the token anonymously (logged once);
//  - retries connection failures, 429 and 5xx with backoff, honouring Retry-After, except a
//    429 that says no pulls remain (RateLimit-Remaining: 0);
//  - counts connect failures and timeouts of its origin in a circuit_breaker: while the upstream
//    is down, requests fail at once with errc::upstream_down, and one probe at a time goes out;
//  - reads the pull quota every answer announces (upstream_quota).
// Credentials and tokens are never logged.
class upstream_client {
public:
    // Builds the TLS context (system CAs or ca_file) and reads token_file. Throws config_error
    // if either cannot be read.
    // m (may be null) receives upstream request counts, latencies and bytes.
    upstream_client(const upstream_config& upstream, const timeout_config& timeouts, const client_config& client,
                    metrics* m);

    const upstream_config& config() const noexcept { return upstream_; }

    // Sends GET or HEAD for repository and reads the body into memory, at most body_limit
    // bytes (errc::manifest_too_large beyond). Unreachable or timed out: errc::upstream_unavailable;
    // known to be down: errc::upstream_down. retry false: one try (a revalidation that has a
    // cached answer to fall back on).
    awaitable<result<buffered_response>> fetch(http::verb method, std::string target, http::fields headers,
                                               std::size_t body_limit, std::string repository, bool retry = true);

    // Sends GET for repository and returns once the response headers have arrived.
    awaitable<result<response_stream>> open(std::string target, http::fields headers, std::string repository);

    // Number of token requests made (for tests and metrics).
    std::uint64_t token_fetches() const noexcept { return token_fetches_.load(); }
    std::size_t token_bytes() const { return tokens_.bytes(); }
    std::size_t token_budget() const noexcept { return tokens_.byte_budget(); }
    // "ok" or "unreachable" by the last request to the upstream's origin, "unknown" before any,
    // "down" while the circuit breaker holds requests back.
    std::string reachability() const;
    const circuit_breaker& breaker() const noexcept { return breaker_; }
    // What a client refused with errc::upstream_down is told: "upstream X is down ...; next try
    // in N s", and N for its Retry-After (at least 1).
    struct down_notice {
        std::string detail;
        std::int64_t retry_after_seconds = 1;
    };
    down_notice why_down() const;
    // The pull quota the upstream's answers announce, and whether to spare it.
    const upstream_quota& quota() const noexcept { return quota_; }

private:
    struct request_spec {
        http::verb method;
        std::string target;
        http::fields headers;
        std::string repository;
        bool retry = true;
    };

    awaitable<result<exchange>> send(request_spec spec);
    awaitable<result<exchange>> send_authorized(const request_spec& spec);
    awaitable<result<exchange>> send_redirecting(http::verb method, location where, http::fields headers);
    awaitable<result<exchange>> send_once(http::verb method, const location& where, const http::fields& headers,
                                          const std::string& body = {});
    awaitable<result<exchange>> send_fresh_or_pooled(http::verb method, const location& where,
                                                     const http::fields& headers, const std::string& body);
    // Resolves and connects to where, to an address redirect_policy allows for it.
    awaitable<std::unique_ptr<upstream_connection>> connect_checked(const location& where, error_code& ec);
    // Writes the request and reads the answer's header, past up to max_interim_responses
    // interim (1xx) ones; 101 Switching Protocols, or more interim answers, is upstream_protocol.
    awaitable<result<exchange>> send_on(std::unique_ptr<upstream_connection> conn, http::verb method,
                                        const location& where, const http::fields& headers, const std::string& body);
    static constexpr int max_interim_responses = 8;
    static std::unique_ptr<http::response_parser<http::buffer_body>> fresh_parser(http::verb method);
    awaitable<result<std::string>> fetch_token(const auth_challenge& challenge, const std::string& repository);
    awaitable<result<token_answer>> ask_realm(location realm, token_request request);
    awaitable<result<buffered_response>> read_all(exchange ex, std::size_t body_limit, bool head);
    bool is_own_origin(const location& where) const { return proxy::is_own_origin(upstream_, where); }
    std::string own_origin() const {
        return location{upstream_.origin.tls, upstream_.origin.host, upstream_.origin.port, "/"}.origin();
    }
    errc refused_upstream_data(const std::exception& e) const;
    bool has_credentials() const { return !upstream_.username.empty(); }
    std::string basic_credentials() const;
    std::string token_key(const std::string& repository) const;

    upstream_config upstream_;
    timeout_config timeouts_;
    client_config client_;
    std::unique_ptr<ssl::context> tls_ctx_;
    std::shared_ptr<connection_pool> pool_;
    token_cache tokens_;
    upstream_quota quota_;
    circuit_breaker breaker_;
    std::atomic<bool> basic_auth_{false};  // upstream asked for Basic: send it up front
    std::atomic<bool> warned_anonymous_realm_{false};
    std::atomic<std::uint64_t> token_fetches_{0};
    std::atomic<int> last_outcome_{0};  // 0 unknown, 1 answered, 2 unreachable
    metrics* metrics_;
};

}  // namespace strata::proxy

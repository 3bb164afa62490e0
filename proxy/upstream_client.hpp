// upstream_client: requests to one configured upstream registry, following blob redirects.
#pragma once

#include "proxy/config.hpp"
#include "proxy/net.hpp"
#include "proxy/upstream_connection.hpp"
#include "storage/error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace strata::proxy {

// A response whose body was read into memory (manifests, tag lists).
struct buffered_response {
    unsigned status = 0;
    http::fields headers;
    std::string body;
};

// A response whose body is still on the wire (blobs). Read it with read(); it owns the
// connection, which closes when the stream is destroyed.
class response_stream {
public:
    response_stream(std::unique_ptr<upstream_connection> conn,
                    std::unique_ptr<http::response_parser<http::buffer_body>> parser,
                    std::chrono::milliseconds idle_timeout);

    unsigned status() const { return parser_->get().result_int(); }
    const http::fields& headers() const { return parser_->get().base(); }
    std::optional<std::uint64_t> content_length() const {
        const auto n = parser_->content_length();
        return n ? std::optional<std::uint64_t>(*n) : std::nullopt;
    }
    bool done() const { return parser_->is_done(); }

    // Reads up to size body bytes; 0 with no error means the body is complete.
    awaitable<std::size_t> read(void* data, std::size_t size, error_code& ec);

private:
    std::unique_ptr<upstream_connection> conn_;
    std::unique_ptr<http::response_parser<http::buffer_body>> parser_;
    std::chrono::milliseconds idle_timeout_;
};

// Talks to one upstream. Thread-safe: every call opens its own connection. Redirects
// (301/302/303/307/308) are followed up to max_redirects, and credentials are only ever
// sent to the upstream's own origin.
class upstream_client {
public:
    static constexpr int max_redirects = 5;

    // Builds the TLS context (system CAs or ca_file). Throws config_error if ca_file is unreadable.
    upstream_client(const upstream_config& upstream, const timeout_config& timeouts);

    const upstream_config& config() const noexcept { return upstream_; }

    // Sends GET or HEAD and reads the body into memory, at most body_limit bytes
    // (errc::manifest_too_large beyond). Unreachable or timed-out: errc::upstream_unavailable.
    awaitable<result<buffered_response>> fetch(http::verb method, std::string target, http::fields headers,
                                               std::size_t body_limit);

    // Sends GET and returns once the response headers have arrived.
    awaitable<result<response_stream>> open(std::string target, http::fields headers);

private:
    struct location {
        bool tls = true;
        std::string host;
        std::string port;
        std::string target;
    };
    struct exchange {
        std::unique_ptr<upstream_connection> conn;
        std::unique_ptr<http::response_parser<http::buffer_body>> parser;
    };

    awaitable<result<exchange>> send(http::verb method, std::string target, http::fields headers);
    awaitable<result<exchange>> send_once(http::verb method, const location& where, const http::fields& headers);
    std::optional<location> resolve_redirect(const location& from, std::string_view header) const;
    bool is_own_origin(const location& where) const;

    upstream_config upstream_;
    timeout_config timeouts_;
    std::unique_ptr<ssl::context> tls_ctx_;
};

}  // namespace strata::proxy

// upstream_connection: one HTTP/1.1 connection to an upstream origin, plain TCP or TLS.
#pragma once

#include "proxy/config/config.hpp"
#include "proxy/net.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <variant>

namespace strata::proxy {

// Owns a connected stream and its read buffer. Used by one coroutine at a time.
// Every operation has a deadline; expiry surfaces as beast::error::timeout.
class upstream_connection {
public:
    using plain_stream = beast::tcp_stream;
    using tls_stream = beast::ssl_stream<beast::tcp_stream>;

    // Resolves and connects to host:port, then does the TLS handshake (SNI and host-name
    // verification) when tls_ctx is not null. Errors are returned, never thrown.
    // Which resolved addresses may be connected to (all when empty).
    using endpoint_filter = std::function<bool(const asio::ip::address&)>;
    // With a filter, only the addresses it allows are tried; none left: asio::error::access_denied.
    static awaitable<std::unique_ptr<upstream_connection>> connect(
        const std::string& host, const std::string& port, ssl::context* tls_ctx, bool verify_host,
        std::chrono::milliseconds connect_timeout, std::chrono::milliseconds tls_timeout,
        const endpoint_filter& allowed, error_code& ec);

    awaitable<void> write(http::request<http::string_body>& req, std::chrono::milliseconds timeout,
                          error_code& ec);
    awaitable<void> read_header(http::response_parser<http::buffer_body>& parser,
                                std::chrono::milliseconds timeout, error_code& ec);
    // Reads body bytes into [data, data+size); returns how many arrived. At end of body,
    // returns 0 and parser.is_done() is true.
    awaitable<std::size_t> read_body(http::response_parser<http::buffer_body>& parser, void* data,
                                     std::size_t size, std::chrono::milliseconds timeout, error_code& ec);
    // Reads up to size bytes into [data, data+size) past any parser: first what the read buffer
    // holds, else one read from the stream straight into data. For a body of known length after
    // read_header, whose caller counts the bytes left and asks for no more.
    awaitable<std::size_t> read_raw(void* data, std::size_t size, std::chrono::milliseconds timeout,
                                    error_code& ec);

    void close() noexcept;

private:
    explicit upstream_connection(std::variant<plain_stream, tls_stream> s) : stream_(std::move(s)) {
        // Beast sizes each read by the buffer's spare capacity (at least 512 bytes): without
        // room here a blob body arrives 512 bytes per system call.
        buffer_.reserve(read_buffer_bytes);
    }
    static constexpr std::size_t read_buffer_bytes = 256 * 1024;
    beast::tcp_stream& lowest() noexcept;

    std::variant<plain_stream, tls_stream> stream_;
    beast::flat_buffer buffer_;
};

}  // namespace strata::proxy

// client_stream: a client's connection, plain TCP or TLS, as one stream type for the session and
// every reply writer.
#pragma once

#include "proxy/net.hpp"

#include <chrono>
#include <memory>
#include <utility>
#include <variant>

namespace strata::proxy {

// Beast's tcp_stream, or an ssl_stream over one, chosen when the connection is accepted. Reads
// and writes go through the TLS layer when there is one; timeouts always live on the TCP layer.
// Writers that bypass the stream for speed (sendfile, a synchronous writev) ask is_tls() first:
// their bytes would skip the encryption.
class client_stream {
public:
    using tls_stream = beast::ssl_stream<beast::tcp_stream>;
    using executor_type = beast::tcp_stream::executor_type;

    explicit client_stream(tcp::socket socket) : stream_(std::in_place_type<beast::tcp_stream>, std::move(socket)) {}
    // A TLS connection: handshake() must succeed before anything else is read or written.
    client_stream(tcp::socket socket, std::shared_ptr<ssl::context> tls)
        : tls_(std::move(tls)), stream_(std::in_place_type<tls_stream>, beast::tcp_stream(std::move(socket)), *tls_) {}

    bool is_tls() const noexcept { return tls_ != nullptr; }
    beast::tcp_stream& tcp_layer() noexcept {
        return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); }, stream_);
    }
    tcp::socket& socket() noexcept { return tcp_layer().socket(); }
    executor_type get_executor() noexcept { return tcp_layer().get_executor(); }
    void expires_after(std::chrono::steady_clock::duration d) { tcp_layer().expires_after(d); }
    void expires_never() { tcp_layer().expires_never(); }

    // The server side of the TLS handshake, bounded by timeout. Plain connections: nothing to do.
    awaitable<error_code> handshake(std::chrono::milliseconds timeout);
    // Ends the connection: a TLS close_notify (briefly waited for), then the TCP send side.
    awaitable<void> close();

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        if (auto* tls = std::get_if<tls_stream>(&stream_)) return tls->async_read_some(buffers, std::forward<Token>(token));
        return std::get<beast::tcp_stream>(stream_).async_read_some(buffers, std::forward<Token>(token));
    }
    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        if (auto* tls = std::get_if<tls_stream>(&stream_)) return tls->async_write_some(buffers, std::forward<Token>(token));
        return std::get<beast::tcp_stream>(stream_).async_write_some(buffers, std::forward<Token>(token));
    }

private:
    std::shared_ptr<ssl::context> tls_;  // outlives the stream that refers to it
    std::variant<beast::tcp_stream, tls_stream> stream_;
};

}  // namespace strata::proxy

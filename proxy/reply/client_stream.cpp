// client_stream: the TLS handshake and the orderly close.
#include "proxy/reply/client_stream.hpp"

namespace strata::proxy {

awaitable<error_code> client_stream::handshake(std::chrono::milliseconds timeout) {
    auto* tls = std::get_if<tls_stream>(&stream_);
    if (!tls) co_return error_code{};
    expires_after(timeout);
    auto [ec] = co_await tls->async_handshake(ssl::stream_base::server, with_ec);
    co_return ec;
}

awaitable<void> client_stream::close() {
    if (auto* tls = std::get_if<tls_stream>(&stream_)) {
        expires_after(std::chrono::seconds(2));
        auto [ec] = co_await tls->async_shutdown(with_ec);
        (void)ec;  // a client that left without its close_notify: nothing more to say to it
    }
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace strata::proxy

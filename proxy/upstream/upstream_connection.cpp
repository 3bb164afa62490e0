// upstream_connection: resolve, connect, TLS handshake, and deadline-bounded HTTP reads and writes.
#include "proxy/upstream/upstream_connection.hpp"

#include <openssl/ssl.h>

#include <vector>

namespace strata::proxy {
namespace {


}  // namespace

awaitable<std::unique_ptr<upstream_connection>> upstream_connection::connect(
    const std::string& host, const std::string& port, ssl::context* tls_ctx, bool verify_host,
    std::chrono::milliseconds connect_timeout, std::chrono::milliseconds tls_timeout, const endpoint_filter& allowed,
    error_code& ec) {
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    auto [rec, resolved] = co_await resolver.async_resolve(host, port, with_ec);
    if (rec) {
        ec = rec;
        co_return nullptr;
    }
    // Checked after resolution, and only the checked addresses are connected to: a name that
    // resolves differently a moment later cannot slip past the check.
    std::vector<tcp::endpoint> endpoints;
    for (const auto& entry : resolved)
        if (!allowed || allowed(entry.endpoint().address())) endpoints.push_back(entry.endpoint());
    if (endpoints.empty()) {
        ec = asio::error::access_denied;
        co_return nullptr;
    }
    beast::tcp_stream tcp_stream(executor);
    tcp_stream.expires_after(connect_timeout);
    auto [cec, ep] = co_await tcp_stream.async_connect(endpoints, with_ec);
    if (cec) {
        ec = cec;
        co_return nullptr;
    }
    tcp_stream.socket().set_option(tcp::no_delay(true));
    if (!tls_ctx) {
        tcp_stream.expires_never();
        co_return std::unique_ptr<upstream_connection>(new upstream_connection(std::move(tcp_stream)));
    }

    tls_stream tls(std::move(tcp_stream), *tls_ctx);
    // SNI: virtual-hosted registries and CDNs pick the certificate by it.
    if (!SSL_set_tlsext_host_name(tls.native_handle(), host.c_str())) {
        ec = error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
        co_return nullptr;
    }
    if (verify_host) tls.set_verify_callback(ssl::host_name_verification(host));
    beast::get_lowest_layer(tls).expires_after(tls_timeout);
    auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, with_ec);
    if (hec) {
        ec = hec;
        co_return nullptr;
    }
    beast::get_lowest_layer(tls).expires_never();
    co_return std::unique_ptr<upstream_connection>(new upstream_connection(std::move(tls)));
}

beast::tcp_stream& upstream_connection::lowest() noexcept {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); }, stream_);
}

awaitable<void> upstream_connection::write(http::request<http::string_body>& req,
                                           std::chrono::milliseconds timeout, error_code& ec) {
    lowest().expires_after(timeout);
    auto [wec, n] = co_await std::visit(
        [&](auto& s) { return http::async_write(s, req, with_ec); }, stream_);
    ec = wec;
}

awaitable<void> upstream_connection::read_header(http::response_parser<http::buffer_body>& parser,
                                                 std::chrono::milliseconds timeout, error_code& ec) {
    lowest().expires_after(timeout);
    auto [rec, n] = co_await std::visit(
        [&](auto& s) { return http::async_read_header(s, buffer_, parser, with_ec); }, stream_);
    ec = rec;
}

awaitable<std::size_t> upstream_connection::read_body(http::response_parser<http::buffer_body>& parser,
                                                      void* data, std::size_t size,
                                                      std::chrono::milliseconds timeout, error_code& ec) {
    if (parser.is_done()) co_return 0;
    parser.get().body().data = data;
    parser.get().body().size = size;
    lowest().expires_after(timeout);
    auto [rec, n] = co_await std::visit(
        [&](auto& s) { return http::async_read_some(s, buffer_, parser, with_ec); }, stream_);
    // need_buffer only means our buffer is full; the bytes in it are good.
    ec = rec == http::error::need_buffer ? error_code() : rec;
    co_return size - parser.get().body().size;
}

awaitable<std::size_t> upstream_connection::read_raw(void* data, std::size_t size, std::chrono::milliseconds timeout,
                                                     error_code& ec) {
    if (buffer_.size() > 0) {
        const auto n = asio::buffer_copy(asio::buffer(data, size), buffer_.data());
        buffer_.consume(n);
        co_return n;
    }
    lowest().expires_after(timeout);
    auto [rec, n] = co_await std::visit(
        [&](auto& s) { return s.async_read_some(asio::buffer(data, size), with_ec); }, stream_);
    ec = rec;
    co_return n;
}

void upstream_connection::close() noexcept {
    error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
}

}  // namespace strata::proxy

// respond: writing whole responses (registry headers, OCI errors, text) and recording them in the pull event.
#pragma once

#include "proxy/net.hpp"
#include "storage/events/pull_event.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace strata::proxy {

inline constexpr std::string_view registry_api_version = "registry/2.0";
inline constexpr std::chrono::seconds response_write_timeout{60};

// Server and Docker-Distribution-API-Version headers; keep-alive as the client asked.
template <class Body>
void set_common(http::response<Body>& res, const request& req) {
    res.set(http::field::server, "strata");
    res.set("Docker-Distribution-API-Version", registry_api_version);
    res.keep_alive(req.keep_alive());
}

// Nanoseconds from start_ns (since the epoch) to now.
std::int64_t since_ns(std::int64_t start_ns);

template <class Body>
std::uint64_t body_size(const http::response<Body>& res) {
    if constexpr (std::is_same_v<Body, http::empty_body>)
        return 0;
    else
        return res.body().size();
}

// Writes a whole response; records its status, body bytes and time to first byte in ev.
// A response to HEAD never carries a body, whatever its status: only its header is written,
// whose Content-Length still says what GET would send. Returns whether the connection may
// carry another request.
template <class Body>
awaitable<bool> send(beast::tcp_stream& stream, const request& req, http::response<Body>& res,
                     storage::pull_event& ev) {
    ev.http_status = res.result_int();
    ev.ttfb_ns = since_ns(ev.ts_ns);
    stream.expires_after(response_write_timeout);
    if constexpr (!std::is_same_v<Body, http::empty_body>) {
        if (req.method() == http::verb::head) {
            http::response<http::empty_body> head{res.base()};
            auto [ec, n] = co_await http::async_write(stream, head, asio::as_tuple(asio::use_awaitable));
            co_return !ec && res.keep_alive();
        }
    }
    auto [ec, n] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    if (!ec) ev.bytes_sent = body_size(res);
    co_return !ec && res.keep_alive();
}

// An OCI error body for ec (no body for HEAD).
awaitable<bool> send_error(beast::tcp_stream& stream, const request& req, error_code ec, std::string_view detail,
                           storage::pull_event& ev);

// An OCI error body for an explicit status and code: 404 for unknown paths, 405, 400 for a bad
// query (no body for HEAD).
awaitable<bool> send_refusal(beast::tcp_stream& stream, const request& req, http::status status, std::string_view code,
                             std::string_view message, storage::pull_event& ev);
// The same with one more header (Allow, Retry-After, WWW-Authenticate), whose value is strata's own.
awaitable<bool> send_refusal(beast::tcp_stream& stream, const request& req, http::status status, std::string_view code,
                             std::string_view message, http::field field, std::string value, storage::pull_event& ev);

// A text or JSON body with the common headers (no body for HEAD).
awaitable<bool> send_text(beast::tcp_stream& stream, const request& req, http::status status,
                          std::string_view content_type, std::string body, storage::pull_event& ev);

}  // namespace strata::proxy

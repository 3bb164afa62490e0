// respond: the non-template response writers.
#include "proxy/server/respond.hpp"

#include "proxy/server/oci_error.hpp"

namespace strata::proxy {

std::int64_t since_ns(std::int64_t start_ns) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
               .count() -
           start_ns;
}

awaitable<bool> send_error(beast::tcp_stream& stream, const request& req, error_code ec, std::string_view detail,
                           storage::pull_event& ev) {
    auto res = make_error_response(to_errc(ec), detail, req.version(), req.keep_alive());
    co_return co_await send(stream, req, res, ev);
}

awaitable<bool> send_refusal(beast::tcp_stream& stream, const request& req, http::status status, std::string_view code,
                             std::string_view message, storage::pull_event& ev) {
    auto res = make_error_response(status, code, message, req.version(), req.keep_alive());
    co_return co_await send(stream, req, res, ev);
}

awaitable<bool> send_refusal(beast::tcp_stream& stream, const request& req, http::status status, std::string_view code,
                             std::string_view message, http::field field, std::string value, storage::pull_event& ev) {
    auto res = make_error_response(status, code, message, req.version(), req.keep_alive());
    res.set(field, value);
    co_return co_await send(stream, req, res, ev);
}

awaitable<bool> send_text(beast::tcp_stream& stream, const request& req, http::status status,
                          std::string_view content_type, std::string body, storage::pull_event& ev) {
    http::response<http::string_body> res{status, req.version()};
    set_common(res, req);
    res.set(http::field::content_type, content_type);
    res.body() = std::move(body);
    res.prepare_payload();
    co_return co_await send(stream, req, res, ev);
}

}  // namespace strata::proxy

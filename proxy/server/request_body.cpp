// request_body: the events import's body: the guard, the limits and the one-at-a-time claim before any byte is read.
#include "proxy/server/request_body.hpp"

#include "proxy/admin/events_import.hpp"
#include "proxy/reply/replies.hpp"

#include <algorithm>

namespace strata::proxy {
namespace {

// Writes a refusal the client gets before its body was read, and says the connection ends.
awaitable<bool> refuse_and_close(client_stream& stream, const request& req, reply answer) {
    auto& res = std::get<whole_response>(answer.body);
    res.version(req.version());
    res.keep_alive(false);
    res.set("Docker-Distribution-API-Version", registry_api_version);
    res.prepare_payload();
    stream.expires_after(std::chrono::seconds(5));
    co_await http::async_write(stream, res, with_ec);
    co_return false;
}

// Why a body may not be read yet: the guard's answer, or a limit; nullopt when it may.
std::optional<reply> body_refusal(const request_parser& parser, const proxy_context& ctx, const request_context& rc,
                                  request_body& body) {
    const auto& req = parser.get();
    if (!rc.admin_enabled)
        return refusal(http::status::not_found, "NOT_FOUND", "the admin API is disabled on this listener: set admin.token");
    const auto verdict = ctx.admin.guard.check(req[http::field::authorization], rc.peer, rc.peer_is_loopback);
    if (verdict != admin_guard::verdict::allowed) return guard_refusal(verdict);
    if (!ctx.cfg.events.enabled)
        return refusal(http::status::conflict, "UNSUPPORTED",
                       "events not recorded: this strata keeps no event log (events.enabled is false)");
    if (parser.chunked())
        return refusal(http::status::length_required, "UNSUPPORTED", "send the events with a Content-Length, not chunked");
    if (parser.content_length().value_or(0) > events_import_max_bytes)
        return refusal(http::status::payload_too_large, "SIZE_INVALID",
                       "at most " + std::to_string(events_import_max_bytes >> 20) + " MiB of events per request");
    if (!body.claim())
        return refusal(http::status::too_many_requests, "TOOMANYREQUESTS", "another events import is being read; retry",
                       http::field::retry_after, "1");
    return std::nullopt;
}

// RFC 9110 10.1.1: an HTTP/1.0 client's expectation is ignored.
bool continue_expected(const request& req) {
    return req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue");
}

// How long a whole body may take: the idle time, and 256 KiB a second. A client that sends a
// byte now and then cannot hold the one body for long.
std::chrono::steady_clock::duration body_deadline(std::size_t length, std::chrono::steady_clock::duration idle) {
    return idle + std::chrono::seconds(length / (256 * 1024));
}

}  // namespace

std::atomic<bool> request_body::held_{false};

bool request_body::claim() {
    if (claimed_) return true;
    bool expected = false;
    claimed_ = held_.compare_exchange_strong(expected, true);
    return claimed_;
}

void request_body::release() noexcept {
    std::string().swap(bytes_);
    if (claimed_) held_.store(false);
    claimed_ = false;
}

bool takes_body(const request& req, const request_context& rc) {
    const std::string_view target = req.target();
    return rc.role == listener_role::main && req.method() == http::verb::post &&
           target.substr(0, target.find('?')) == "/api/v1/events";
}

awaitable<bool> read_request_body(client_stream& stream, beast::flat_buffer& buffer, const request_parser& parser,
                                  const proxy_context& ctx, const request_context& rc, request_body& body,
                                  std::chrono::steady_clock::duration idle) {
    const auto& req = parser.get();
    if (auto refused = body_refusal(parser, ctx, rc, body)) co_return co_await refuse_and_close(stream, req, std::move(*refused));
    const auto length = static_cast<std::size_t>(parser.content_length().value_or(0));
    auto& bytes = body.bytes();
    bytes.resize(length);
    std::size_t have = std::min(length, buffer.size());
    asio::buffer_copy(asio::buffer(bytes.data(), have), buffer.data());
    buffer.consume(have);
    if (have < length && continue_expected(req)) {
        static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
        stream.expires_after(idle);
        if (auto [ec, n] = co_await asio::async_write(stream, asio::buffer(go_on), with_ec); ec) co_return false;
    }
    stream.expires_after(body_deadline(length, idle));
    while (have < length) {
        const auto chunk = std::min<std::size_t>(length - have, 64 * 1024);
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(bytes.data() + have, chunk), with_ec);
        if (ec) co_return false;
        have += n;
    }
    co_return true;
}

}  // namespace strata::proxy

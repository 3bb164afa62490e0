// upstream_client: connection set-up per request, redirects, and buffered or streamed bodies.
#include "proxy/upstream_client.hpp"

#include <spdlog/spdlog.h>

namespace strata::proxy {
namespace {

bool is_redirect(unsigned status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

response_stream::response_stream(std::unique_ptr<upstream_connection> conn,
                                 std::unique_ptr<http::response_parser<http::buffer_body>> parser,
                                 std::chrono::milliseconds idle_timeout)
    : conn_(std::move(conn)), parser_(std::move(parser)), idle_timeout_(idle_timeout) {}

awaitable<std::size_t> response_stream::read(void* data, std::size_t size, error_code& ec) {
    while (!parser_->is_done()) {
        const auto n = co_await conn_->read_body(*parser_, data, size, idle_timeout_, ec);
        if (ec || n > 0) co_return n;
    }
    co_return 0;
}

upstream_client::upstream_client(const upstream_config& upstream, const timeout_config& timeouts)
    : upstream_(upstream), timeouts_(timeouts), tls_ctx_(std::make_unique<ssl::context>(ssl::context::tls_client)) {
    tls_ctx_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                          ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (!upstream_.tls_verify) {
        tls_ctx_->set_verify_mode(ssl::verify_none);
        return;
    }
    tls_ctx_->set_verify_mode(ssl::verify_peer);
    error_code ec;
    if (!upstream_.ca_file.empty())
        tls_ctx_->load_verify_file(upstream_.ca_file, ec);
    else
        tls_ctx_->set_default_verify_paths(ec);
    if (ec) throw config_error("upstreams[" + upstream_.name + "].ca_file: " + ec.message());
}

bool upstream_client::is_own_origin(const location& where) const {
    return where.tls == upstream_.origin.tls && where.host == upstream_.origin.host &&
           where.port == upstream_.origin.port;
}

std::optional<upstream_client::location> upstream_client::resolve_redirect(const location& from,
                                                                           std::string_view header) const {
    if (header.starts_with("/")) return location{from.tls, from.host, from.port, std::string(header)};
    location to;
    if (header.starts_with("https://")) {
        header.remove_prefix(8);
    } else if (header.starts_with("http://")) {
        to.tls = false;
        header.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    const auto slash = header.find('/');
    const auto authority = header.substr(0, slash);
    to.target = slash == std::string_view::npos ? "/" : std::string(header.substr(slash));
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
    try {
        const auto origin = parse_origin((to.tls ? "https://" : "http://") + std::string(authority), "Location");
        to.host = origin.host;
        to.port = origin.port;
    } catch (const config_error&) {
        return std::nullopt;
    }
    return to;
}

awaitable<result<upstream_client::exchange>> upstream_client::send_once(http::verb method, const location& where,
                                                                        const http::fields& headers) {
    error_code ec;
    auto conn = co_await upstream_connection::connect(where.host, where.port, where.tls ? tls_ctx_.get() : nullptr,
                                                      upstream_.tls_verify, timeouts_.connect, ec);
    if (ec) {
        spdlog::warn("upstream connect failed upstream={} host={} error=\"{}\"", upstream_.name, where.host,
                     ec.message());
        co_return errc::upstream_unavailable;
    }
    http::request<http::empty_body> req{method, where.target, 11};
    for (const auto& field : headers) req.set(field.name_string(), field.value());
    req.set(http::field::host, where.port == (where.tls ? "443" : "80") ? where.host : where.host + ":" + where.port);
    req.set(http::field::user_agent, "strata/0.1");
    req.keep_alive(false);
    co_await conn->write(req, timeouts_.headers, ec);
    auto parser = std::make_unique<http::response_parser<http::buffer_body>>();
    parser->body_limit(boost::none);
    if (method == http::verb::head) parser->skip(true);
    if (!ec) co_await conn->read_header(*parser, timeouts_.headers, ec);
    if (ec) {
        spdlog::warn("upstream request failed upstream={} host={} target={} error=\"{}\"", upstream_.name,
                     where.host, where.target, ec.message());
        co_return errc::upstream_unavailable;
    }
    co_return exchange{std::move(conn), std::move(parser)};
}

awaitable<result<upstream_client::exchange>> upstream_client::send(http::verb method, std::string target,
                                                                   http::fields headers) {
    location where{upstream_.origin.tls, upstream_.origin.host, upstream_.origin.port, std::move(target)};
    for (int hop = 0;; ++hop) {
        // Credentials belong to the upstream: a redirect to a CDN never sees them.
        if (!is_own_origin(where)) headers.erase(http::field::authorization);
        auto sent = co_await send_once(method, where, headers);
        if (!sent) co_return sent.error();
        const auto status = sent->parser->get().result_int();
        if (!is_redirect(status)) co_return std::move(*sent);
        if (hop == max_redirects) co_return errc::upstream_protocol;
        auto next = resolve_redirect(where, sent->parser->get()[http::field::location]);
        if (!next) co_return errc::upstream_protocol;
        where = std::move(*next);
    }
}

awaitable<result<buffered_response>> upstream_client::fetch(http::verb method, std::string target,
                                                            http::fields headers, std::size_t body_limit) {
    auto sent = co_await send(method, std::move(target), std::move(headers));
    if (!sent) co_return sent.error();
    buffered_response out;
    out.status = sent->parser->get().result_int();
    out.headers = sent->parser->get().base();
    if (const auto len = sent->parser->content_length(); len && *len > body_limit && method != http::verb::head)
        co_return errc::manifest_too_large;
    char chunk[16384];
    error_code ec;
    while (!sent->parser->is_done()) {
        const auto n = co_await sent->conn->read_body(*sent->parser, chunk, sizeof chunk, timeouts_.idle_body, ec);
        if (ec) co_return errc::upstream_truncated;
        if (out.body.size() + n > body_limit) co_return errc::manifest_too_large;
        out.body.append(chunk, n);
    }
    co_return out;
}

awaitable<result<response_stream>> upstream_client::open(std::string target, http::fields headers) {
    auto sent = co_await send(http::verb::get, std::move(target), std::move(headers));
    if (!sent) co_return sent.error();
    co_return response_stream(std::move(sent->conn), std::move(sent->parser), timeouts_.idle_body);
}

}  // namespace strata::proxy

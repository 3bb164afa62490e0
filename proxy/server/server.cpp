// server: the accept loop and the per-connection HTTP/1.1 session.
#include "proxy/server/server.hpp"

#include "proxy/protocol/byte_range.hpp"
#include "proxy/reply/oci_error.hpp"
#include "proxy/server/request_body.hpp"
#include "proxy/server/request_framing.hpp"
#include "proxy/server/request_parser.hpp"
#include "proxy/server/reply_writer.hpp"
#include "proxy/server/router.hpp"
#include "storage/clock.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <spdlog/spdlog.h>

#include <cctype>

namespace strata::proxy {
namespace {

// The node a pull is attributed to: X-Strata-Node (which containerd sends when its hosts.toml
// says so), else the client address. Never the User-Agent: every node of a cluster sends the same.
std::string_view node_of(const request& req, const std::string& peer) {
    if (auto node = req["X-Strata-Node"]; !node.empty()) return node.substr(0, 256);
    return peer;
}

awaitable<void> answer_and_close(client_stream& stream, http::status status, std::string_view message) {
    auto res = make_error_response(status, "UNSUPPORTED", message, 11, false);
    stream.expires_after(std::chrono::seconds(5));
    co_await http::async_write(stream, res, with_ec);
}

// How far read_request got: the connection ended, the request is whole, or its header is read
// and its body is for read_request_body.
enum class request_state { ended, whole, body_next };

// Reads one request: the header, checked for framing before anything trusts it. A request with
// a body is refused at once (400), unless takes_body chose it.
awaitable<request_state> read_request(client_stream& stream, beast::flat_buffer& buffer, request_parser& parser,
                                      const request_context& rc) {
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, with_ec);
    if (!ec) {
        if (auto bad = check_request_framing(parser.get().base())) {
            co_await answer_and_close(stream, bad->status, bad->message);
            co_return request_state::ended;
        }
        if (takes_body(parser.get(), rc)) co_return request_state::body_next;
        if (parser.chunked() || parser.content_length().value_or(0) > 0) {  // refused before a byte of it is read
            co_await answer_and_close(stream, http::status::bad_request, "strata takes no request body here");
            co_return request_state::ended;
        }
        std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, with_ec);
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor || ec == asio::error::eof ||
        ec == ssl::error::stream_truncated)
        co_return request_state::ended;
    // Oversized headers, a body on a GET, garbage: answer once and hang up.
    if (ec) {
        co_await answer_and_close(stream, http::status::bad_request, ec.message());
        co_return request_state::ended;
    }
    co_return request_state::whole;
}

// One connection's requests in turn, all on the connection's own thread. The stream is shared
// with the connection table's closer, which may close the socket (posted to that thread) to make
// room for a new connection.
awaitable<void> run_session(std::shared_ptr<client_stream> owned, const proxy_context& ctx, listener_role role,
                            bool admin_enabled, std::shared_ptr<client_connections::ticket> ticket) {
    auto& stream = *owned;
    beast::flat_buffer buffer;
    error_code peer_ec;
    const auto peer_address = stream.socket().remote_endpoint(peer_ec).address();
    const auto peer = peer_address.to_string();
    if (auto ec = co_await stream.handshake(ctx.cfg.timeouts.tls_handshake)) {
        spdlog::debug("TLS handshake failed peer={} error={}", peer, storage::log_value(ec.message()));
        co_return;
    }
    const request_context rc{role, !peer_ec && peer_address.is_loopback(), admin_enabled, peer};
    storage::pull_event ev;  // one for the connection: its strings keep their capacity
    request_slot slot;
    route r;  // one for the connection, like ev
    request_body body;
    for (;;) {
        auto& parser = slot.next();
        stream.expires_after(ctx.cfg.timeouts.client_idle);
        const auto state = co_await read_request(stream, buffer, parser, rc);
        if (state == request_state::ended) break;
        if (state == request_state::body_next &&
            !co_await read_request_body(stream, buffer, parser, ctx, rc, body, ctx.cfg.timeouts.idle_body))
            break;
        ctx.connections.set_idle(*ticket, false);
        const auto& req = parser.get();
        ev.clear();
        ev.ts_ns = storage::now_ns();
        ev.client.assign(peer);
        ev.method.assign(req.method_string());
        assign_range_for_record(ev.range, req[http::field::range]);
        bool keep_alive = false;
        try {
            auto answer = co_await route_request(ctx, req, r, ev, rc, body.bytes());
            body.release();  // before the reply: the client's next import must find it free
            keep_alive = co_await write_reply(stream, req, answer, ev, ctx.cfg.timeouts.client_idle);
        } catch (const std::exception& e) {
            spdlog::error("request failed peer={} target={} error={}", peer, storage::log_value(req.target()),
                          storage::log_value(e.what()));
            break;
        }
        ev.duration_ns = storage::now_ns() - ev.ts_ns;
        if (!ev.kind.empty()) {
            ev.node.assign(node_of(req, peer));
            ev.user_agent.assign(req[http::field::user_agent].substr(0, 256));
            ctx.observer.observe(ev);
        } else {
            spdlog::debug("request peer={} method={} target={} status={} duration_us={}", peer,
                          storage::log_value(ev.method), storage::log_value(req.target()), ev.http_status,
                          ev.duration_ns / 1000);
        }
        if (!keep_alive || ctx.connections.draining()) break;  // shutting down: no next request
        ctx.connections.set_idle(*ticket, true);
    }
    co_await stream.close();
}

// "cannot listen on ADDR: address in use": the system's words for the error, not Boost's
// source location; a privileged port says what it takes.
std::string listen_failure(const std::string& listen, const error_code& ec) {
    std::string why = ec.message();
    if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    if (ec == asio::error::address_in_use) why = "address in use (another process listens there)";
    if (ec == asio::error::access_denied) why = "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
    if (ec == boost::system::errc::address_not_available) why = "no interface of this machine has that address";
    return "cannot listen on " + listen + ": " + why;
}

}  // namespace

tcp::endpoint parse_listen_address(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) throw config_error("server.listen: expected host:port");
    auto host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    error_code ec;
    const auto address = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
    if (ec) throw config_error("server.listen: '" + host + "' is not an IP address");
    unsigned long port = 0;
    try {
        port = std::stoul(text.substr(colon + 1));
    } catch (const std::exception&) {
        throw config_error("server.listen: invalid port");
    }
    if (port > 65535) throw config_error("server.listen: invalid port");
    return {address, static_cast<unsigned short>(port)};
}

server::server(io_threads& threads, const proxy_context& ctx, std::string listen, listener_role role,
               tls_certificates* tls)
    : threads_(threads), ctx_(ctx), listen_(std::move(listen)), role_(role), tls_(tls), acceptor_(threads.main()) {}

void server::start() {
    const auto endpoint = parse_listen_address(listen_);
    admin_enabled_ = role_ == listener_role::main && (!ctx_.admin_token.empty() || endpoint.address().is_loopback());
    if (role_ == listener_role::main && !admin_enabled_)
        spdlog::warn("admin API disabled: listener {} is not loopback and no admin token is set "
                     "(admin.token or admin.token_file)", listen_);
    error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error(listen_failure(listen_, ec));
    asio::co_spawn(threads_.main(), accept_loop(), asio::detached);
}

void server::stop() {
    error_code ignored;
    acceptor_.close(ignored);
}

awaitable<void> server::accept_loop() {
    while (acceptor_.is_open()) {
        auto [ec, socket] = co_await acceptor_.async_accept(threads_.next_connection_executor(), with_ec);
        if (ec == asio::error::operation_aborted) co_return;
        if (ec) {
            // EMFILE and friends: make room by closing the longest-idle client, else back off.
            spdlog::warn("accept failed error={}", storage::log_value(ec.message()));
            if (ctx_.connections.close_longest_idle()) continue;
            asio::steady_timer pause(threads_.main(), std::chrono::milliseconds(50));
            co_await pause.async_wait(with_ec);
            continue;
        }
        socket.set_option(tcp::no_delay(true), ec);
        socket.non_blocking(true, ec);  // synchronous writes that would wait fail instead (reply_writer)
        auto executor = socket.get_executor();
        auto stream = tls_ ? std::make_shared<client_stream>(std::move(socket), tls_->current())
                           : std::make_shared<client_stream>(std::move(socket));
        std::weak_ptr<client_stream> weak = stream;
        auto ticket = ctx_.connections.admit([executor, weak] {
            asio::post(executor, [weak] {
                error_code ignored;
                if (auto s = weak.lock()) s->socket().close(ignored);
            });
        });
        if (!ticket) {
            error_code ignored;
            stream->socket().close(ignored);
            continue;
        }
        asio::co_spawn(executor, run_session(stream, ctx_, role_, admin_enabled_, std::move(ticket)),
                       asio::detached);
    }
}

}  // namespace strata::proxy

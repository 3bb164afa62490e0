// pacing_relay: an accept loop and two pumps per connection.
#include "proxy/bench/pacing_relay.hpp"

#include <unistd.h>

#include <array>
#include <charconv>

namespace strata::proxy {

struct pacing_relay::state {
    state(asio::io_context& io, std::string host, std::string port, relay_options options)
        : acceptor(io, tcp::endpoint(asio::ip::make_address(options.listen_address), 0)), host(std::move(host)),
          port(std::move(port)), link(options.bandwidth), rtt(options.rtt), open_socket(std::move(options.open_socket)),
          only_peer(std::move(options.only_peer)) {}
    tcp::acceptor acceptor;
    std::string host, port;
    link_shaper link;
    std::chrono::microseconds rtt;
    std::function<int()> open_socket;
    std::string only_peer;
    std::uint64_t egress = 0;
    bool stopped = false;
};

namespace {

using relay_state = std::shared_ptr<pacing_relay::state>;

awaitable<void> wait_until(link_shaper::clock::time_point t) {
    if (t <= link_shaper::clock::now()) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor, t);
    co_await timer.async_wait(asio::use_awaitable);
}

// from → to until either closes; downstream bytes cross the shared link, upstream ones wait rtt.
awaitable<void> pump(relay_state s, std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to,
                     bool downstream) {
    std::array<char, 64 * 1024> buffer;
    error_code ec;
    for (;;) {
        const auto n = co_await from->async_read_some(asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
        if (ec || n == 0) break;
        if (downstream) {
            s->egress += n;
            co_await wait_until(s->link.pass(n, link_shaper::clock::now()));
        } else if (s->rtt.count() > 0) {
            co_await wait_until(link_shaper::clock::now() + s->rtt);
        }
        co_await asio::async_write(*to, asio::buffer(buffer.data(), n), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
    }
    from->close(ec);
    to->close(ec);
}

// A connection to the registry: through a socket open_socket made (an address, no lookup), or any
// of the host's addresses.
awaitable<void> connect_to_registry(relay_state s, tcp::socket& server, error_code& ec) {
    if (s->open_socket) {
        const auto address = asio::ip::make_address_v4(s->host, ec);
        if (ec) co_return;
        int fd = -1;
        try {
            fd = s->open_socket();
        } catch (const std::system_error& e) {
            ec = e.code();
            co_return;
        }
        server.assign(tcp::v4(), fd, ec);
        if (ec) {
            ::close(fd);
            co_return;
        }
        unsigned short port = 0;
        if (std::from_chars(s->port.data(), s->port.data() + s->port.size(), port).ec != std::errc{} || port == 0) {
            ec = asio::error::invalid_argument;
            co_return;
        }
        co_await server.async_connect(tcp::endpoint(address, port), asio::redirect_error(asio::use_awaitable, ec));
        co_return;
    }
    tcp::resolver resolver(server.get_executor());
    const auto endpoints = co_await resolver.async_resolve(s->host, s->port, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) co_await asio::async_connect(server, endpoints, asio::redirect_error(asio::use_awaitable, ec));
}

awaitable<void> relay_one(relay_state s, std::shared_ptr<tcp::socket> client) {
    auto executor = co_await asio::this_coro::executor;
    auto server = std::make_shared<tcp::socket>(executor);
    error_code ec;
    co_await connect_to_registry(s, *server, ec);
    if (ec) {
        client->close(ec);
        co_return;
    }
    server->set_option(tcp::no_delay(true), ec);
    client->set_option(tcp::no_delay(true), ec);
    asio::co_spawn(executor, pump(s, client, server, false), asio::detached);
    asio::co_spawn(executor, pump(s, server, client, true), asio::detached);
}

awaitable<void> accept_loop(relay_state s) {
    for (;;) {
        auto client = std::make_shared<tcp::socket>(co_await asio::this_coro::executor);
        error_code ec;
        co_await s->acceptor.async_accept(*client, asio::redirect_error(asio::use_awaitable, ec));
        if (s->stopped) co_return;
        if (ec) continue;
        if (!s->only_peer.empty() && client->remote_endpoint(ec).address().to_string() != s->only_peer) {
            client->close(ec);
            continue;
        }
        asio::co_spawn(s->acceptor.get_executor(), relay_one(s, client), asio::detached);
    }
}

}  // namespace

pacing_relay::pacing_relay(asio::io_context& io, std::string host, std::string port, relay_options options)
    : state_(std::make_shared<state>(io, std::move(host), std::move(port), std::move(options))) {
    asio::co_spawn(io, accept_loop(state_), asio::detached);
}

pacing_relay::~pacing_relay() {
    state_->stopped = true;
    error_code ec;
    state_->acceptor.close(ec);
}

std::uint64_t pacing_relay::egress_bytes() const { return state_->egress; }
void pacing_relay::reset_counts() { state_->egress = 0; }

std::string pacing_relay::port() const { return std::to_string(state_->acceptor.local_endpoint().port()); }

std::string pacing_relay::url() const {
    return "http://" + state_->acceptor.local_endpoint().address().to_string() + ":" + port();
}

}  // namespace strata::proxy

// server: accepts client connections and runs one session coroutine per connection.
#pragma once

#include "proxy/net.hpp"
#include "proxy/server/io_threads.hpp"
#include "proxy/server/proxy_context.hpp"
#include "proxy/server/router.hpp"
#include "proxy/server/tls_certificates.hpp"

namespace strata::proxy {

// Listens on the configured address. Each connection lives on one io thread. Not copyable;
// start() and stop() are called from the thread that owns the io_context.
class server {
public:
    // Serves on listen ("host:port"), each connection on one of threads' contexts in turn; a
    // metrics_only listener answers only /metrics, /healthz, /readyz. With tls, connections speak
    // HTTPS with its current certificate.
    server(io_threads& threads, const proxy_context& ctx, std::string listen, listener_role role = listener_role::main,
           tls_certificates* tls = nullptr);

    // Binds and listens; throws boost::system::system_error if the address is unusable. The
    // admin API is served only with an admin token or on a loopback listener (logged otherwise).
    void start();
    // Stops accepting; sessions in flight finish their current response.
    void stop();
    tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

private:
    awaitable<void> accept_loop();

    io_threads& threads_;
    const proxy_context& ctx_;
    std::string listen_;
    listener_role role_;
    tls_certificates* tls_;
    tcp::acceptor acceptor_;
    bool admin_enabled_ = false;  // decided at start(): a token, or a loopback listener
};

// Splits "host:port" ("[::1]:5000" for IPv6). Throws config_error on bad input.
tcp::endpoint parse_listen_address(const std::string& text);

}  // namespace strata::proxy

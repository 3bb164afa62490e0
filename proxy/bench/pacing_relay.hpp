// pacing_relay: a TCP relay in front of a registry that plays the WAN: a shared bandwidth for
// everything the registry sends, a round trip added to each request, and a count of the bytes.
#pragma once

#include "proxy/bench/link_shaper.hpp"
#include "proxy/net.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace strata::proxy {

struct relay_options {
    double bandwidth = 0;              // bytes/s of what the registry sends, shared; 0: no limit
    std::chrono::microseconds rtt{0};  // added before each client write goes on
    std::string listen_address = "127.0.0.1";
    std::string only_peer;             // when set, connections from any other address are closed at once
    // Makes each socket towards the registry (a kernel_link's, in its namespace), to be
    // connected to host:port, which must then be an IPv4 address; empty: an ordinary socket.
    std::function<int()> open_socket;
};

// Listens on listen_address (a port of its own) and relays each connection to host:port. What
// the registry sends crosses one link_shaper of `bandwidth` shared by all connections; what a
// client sends waits `rtt` before it goes on. Runs on the io_context's one thread. Bytes sent
// by the registry are counted: the egress a registry would bill.
class pacing_relay {
public:
    pacing_relay(asio::io_context& io, std::string host, std::string port, relay_options options);
    ~pacing_relay();

    std::string url() const;  // http://LISTEN_ADDRESS:PORT
    std::string port() const;
    std::uint64_t egress_bytes() const;
    void reset_counts();

    struct state;

private:
    std::shared_ptr<state> state_;
};

}  // namespace strata::proxy

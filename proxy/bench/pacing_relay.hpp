// pacing_relay: a TCP relay in front of a registry that plays the WAN: a shared bandwidth for
// everything the registry sends, a round trip added to each request, and a count of the bytes.
#pragma once

#include "proxy/bench/link_shaper.hpp"
#include "proxy/net.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace strata::proxy {

// Listens on 127.0.0.1 (a port of its own) and relays each connection to host:port. What the
// registry sends crosses one link_shaper of `bandwidth` bytes/s (0: no limit) shared by all
// connections; what a client sends waits `rtt` before it goes on. Runs on the io_context's one
// thread. Bytes sent by the registry are counted: the egress a registry would bill.
class pacing_relay {
public:
    pacing_relay(asio::io_context& io, std::string host, std::string port, double bandwidth,
                 std::chrono::microseconds rtt);
    ~pacing_relay();

    std::string url() const;  // http://127.0.0.1:PORT
    std::uint64_t egress_bytes() const;
    void reset_counts();

    struct state;

private:
    std::shared_ptr<state> state_;
};

}  // namespace strata::proxy

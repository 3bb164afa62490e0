// client_connections: the live client connections, capped, with the longest-idle closed first.
#pragma once

#include "proxy/net.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace strata::proxy {

// Every open client connection, whether it is idle (waiting for its next request) and since
// when. When a connection would take the count past the cap, the longest-idle one is closed to
// make room; with none idle the new one is refused. Thread-safe.
class client_connections {
public:
    // How a connection is closed from outside its thread: posted to that thread by the caller.
    using closer = std::function<void()>;

    struct ticket;  // one registered connection; unregisters itself when destroyed

    explicit client_connections(std::size_t cap) : cap_(cap) {}

    // Registers a new connection (idle until it reads a request). Returns nullptr when the cap is
    // reached and no connection is idle; otherwise closes longest-idle ones as needed first.
    std::shared_ptr<ticket> admit(closer close);
    // Marks a connection busy (serving a request) or idle (waiting for the next one). Takes no
    // lock: every request calls it twice, from every network thread.
    static void set_idle(ticket& t, bool idle);
    // Closes the longest-idle connection, if any (for EMFILE). Returns whether one was closed.
    bool close_longest_idle();
    // Shutting down: closes every idle connection now; from then on connections close after
    // their response in flight (draining() is true) and new ones are refused.
    void drain();
    bool draining() const { return draining_.load(); }

    std::size_t open() const { return open_.load(); }
    std::size_t cap() const noexcept { return cap_; }
    std::uint64_t closed_for_room() const { return closed_for_room_.load(); }
    std::uint64_t refused() const { return refused_.load(); }

private:
    using clock = std::chrono::steady_clock;
    void forget(std::uint64_t id);
    bool close_longest_idle_locked();

    struct entry {
        closer close;
        const ticket* state;  // alive while the entry is: its destructor removes the entry
    };
    std::size_t cap_;
    mutable std::mutex mutex_;
    std::uint64_t next_id_ = 0;
    std::map<std::uint64_t, entry> entries_;
    std::atomic<std::size_t> open_{0};
    std::atomic<std::uint64_t> closed_for_room_{0};
    std::atomic<std::uint64_t> refused_{0};
    std::atomic<bool> draining_{false};
};

struct client_connections::ticket {
    static constexpr std::int64_t busy = -1;
    client_connections& owner;
    std::uint64_t id;
    // Since when the connection waits for a request (steady-clock ticks), or busy.
    std::atomic<std::int64_t> idle_since{std::chrono::steady_clock::now().time_since_epoch().count()};
    ~ticket() { owner.forget(id); }
};

// The soft RLIMIT_NOFILE raised to the hard limit; returns the limit now in force.
std::uint64_t raise_fd_limit();

// The connection cap when none is configured: the fd limit less a reserve for the store,
// RocksDB and upstream connections (a quarter of the limit, at least 128).
std::size_t derived_connection_cap(std::uint64_t fd_limit);

}  // namespace strata::proxy

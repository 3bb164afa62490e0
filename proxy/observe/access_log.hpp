// access_log: one line per served registry request, written in blocks instead of a write(2) each.
#pragma once

#include "proxy/net.hpp"
#include "proxy/thread_shards.hpp"
#include "storage/events/pull_event.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unistd.h>

namespace strata::proxy {

// Formats each request's line into its thread's block of at most block_bytes (plus one line)
// and writes the block to fd when it fills, at every flush of run(), and on flush() (at
// shutdown): nginx's `access_log ... buffer= flush=` (and, as with nginx's workers, lines of
// different threads are in time order within a block, not across blocks). A full block is
// written outside its thread's formatting lock (the thread goes on formatting into another
// block), in pieces of whole lines of at most PIPE_BUF bytes, so that on a pipe no other
// writer's line lands inside one. Lines read like strata's other log lines ("[time] [info]
// request method=… kind=… …", or the JSON object of --log-format json) and every value from
// outside is quoted and escaped. Written only
// at log level info or below. Thread-safe.
class access_log {
public:
    static constexpr std::size_t block_bytes = 64 * 1024;

    explicit access_log(int fd = STDOUT_FILENO);
    ~access_log();
    access_log(const access_log&) = delete;
    access_log& operator=(const access_log&) = delete;

    void write(const storage::pull_event& e);
    void flush();
    // Lines as JSON objects (--log-format json), the same fields in the message.
    void use_json(bool json) noexcept { json_ = json; }
    // Flushes every interval until the executor stops.
    awaitable<void> run(std::chrono::milliseconds interval);

private:
    struct block {
        std::string lines;
        std::int64_t prefix_second = -1;
        std::string prefix;  // "[YYYY-MM-DD HH:MM:SS." of prefix_second
        void append_time(std::int64_t now_ns);
    };
    using shards = thread_shards<block>;
    // Swaps the shard's lines out and writes them; called with lock held on the shard's mutex,
    // returns with it released.
    void hand_off(shards::shard& s, std::unique_lock<std::mutex>& lock);
    void write_out(std::string_view text) const;

    int fd_;
    bool json_ = false;
    shards blocks_;
    std::mutex writing_mutex_;  // one block written at a time
    std::string writing_;       // the block being written; empty (its capacity kept) otherwise
};

}  // namespace strata::proxy

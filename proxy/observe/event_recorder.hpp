// event_recorder: a bounded queue of pull events, written to the event log in blocks by one thread.
#pragma once

#include "proxy/config/config.hpp"
#include "proxy/thread_shards.hpp"
#include "storage/events/event_block.hpp"
#include "storage/events/event_log.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace strata::proxy {

// submit() never blocks a request: it encodes the event on the caller's thread and appends
// the bytes to that thread's pending block; when queue_capacity events, or max_pending_bytes,
// are pending the event is dropped and counted. A writer thread swaps the pending blocks out
// and writes each as one event-log value, and applies retention (by age and by size) every
// minute. Thread-safe. The destructor writes what is pending, then stops.
class event_recorder {
public:
    // Each event's strings come from the request (a repository, reference and Range of up to the
    // 16 KiB header limit each), so the count alone does not bound the memory.
    static constexpr std::size_t max_pending_bytes = 64u << 20;

    event_recorder(storage::event_log& log, event_config cfg);
    ~event_recorder();
    event_recorder(const event_recorder&) = delete;
    event_recorder& operator=(const event_recorder&) = delete;

    void submit(const storage::pull_event& e);
    std::uint64_t dropped() const noexcept { return dropped_.load(); }
    std::uint64_t written() const noexcept { return written_.load(); }
    // Blocks until every event submitted so far is written (tests and `strata events`).
    void drain();

private:
    void run();
    void write_pending(storage::event_block_builder& block);
    void write(storage::event_block_builder& block);
    void apply_retention();

    storage::event_log& log_;
    event_config cfg_;
    thread_shards<storage::event_block_builder> pending_;
    std::atomic<std::size_t> pending_events_{0};
    std::atomic<std::size_t> pending_bytes_{0};
    std::mutex mutex_;  // the writer's state below
    std::condition_variable wake_;
    std::condition_variable drained_;
    bool stopping_ = false;
    bool writing_ = false;
    bool flush_requested_ = false;
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> written_{0};
    std::chrono::steady_clock::time_point last_retention_{};
    std::thread writer_;
};

}  // namespace strata::proxy

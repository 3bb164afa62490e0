// event_recorder: a bounded queue of pull events, written to the event log in batches by one thread.
#pragma once

#include "proxy/config.hpp"
#include "storage/event_log.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

namespace strata::proxy {

// submit() never blocks a request: when the queue is full the event is dropped and counted.
// A writer thread drains the queue into the event log and applies retention (by age and by
// size) every minute. Thread-safe. The destructor writes what is queued, then stops.
class event_recorder {
public:
    event_recorder(storage::event_log& log, event_config cfg);
    ~event_recorder();
    event_recorder(const event_recorder&) = delete;
    event_recorder& operator=(const event_recorder&) = delete;

    void submit(storage::pull_event e);
    std::uint64_t dropped() const noexcept { return dropped_.load(); }
    std::uint64_t written() const noexcept { return written_.load(); }
    // Blocks until every event submitted so far is written (tests and `strata events`).
    void drain();

private:
    void run();
    void apply_retention();

    storage::event_log& log_;
    event_config cfg_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable drained_;
    std::deque<storage::pull_event> queue_;
    bool stopping_ = false;
    bool writing_ = false;
    bool flush_requested_ = false;
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> written_{0};
    std::chrono::steady_clock::time_point last_retention_{};
    std::thread writer_;
};

}  // namespace strata::proxy

// event_recorder: encoding on submit, the writer thread's block loop and periodic retention.
#include "proxy/observe/event_recorder.hpp"

#include "storage/events/pull_event_record.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <spdlog/spdlog.h>

namespace strata::proxy {
namespace {

constexpr std::size_t kept_block_bytes = 4u << 20;  // a usual block is some hundred KiB

}  // namespace

event_recorder::event_recorder(storage::event_log& log, event_config cfg)
    : log_(log), cfg_(cfg), writer_([this] { run(); }) {}

event_recorder::~event_recorder() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    writer_.join();
}

void event_recorder::submit(const storage::pull_event& e) {
    if (!cfg_.enabled) return;
    thread_local std::string record;  // encoded outside the lock, its capacity reused
    record.clear();
    storage::append_record(record, e);
    if (pending_events_.load(std::memory_order_relaxed) >= cfg_.queue_capacity ||
        pending_bytes_.load(std::memory_order_relaxed) + record.size() > max_pending_bytes) {
        ++dropped_;
        return;
    }
    std::size_t now_pending = 0;
    {
        auto& shard = pending_.mine();
        std::lock_guard lock(shard.mutex);
        shard.value.add_record(record, e.ts_ns);
        // Counted before the shard is unlocked, so the writer never takes out more than counted.
        pending_bytes_ += record.size();
        now_pending = ++pending_events_;
    }
    // Threads racing past the checks above overshoot the bounds by at most one event each.
    if (now_pending == cfg_.batch_max) {
        // Through the writer's lock: between its check and its wait the wake-up would be lost
        // (and no later event signals again). Once per batch.
        { std::lock_guard writer(mutex_); }
        wake_.notify_one();
    }
}

void event_recorder::drain() {
    std::unique_lock lock(mutex_);
    flush_requested_ = true;
    wake_.notify_one();
    drained_.wait(lock, [this] { return pending_events_.load() == 0 && !writing_; });
}

void event_recorder::run() {
    storage::event_block_builder block;  // swapped with each pending block: all keep their capacity
    std::unique_lock lock(mutex_);
    for (;;) {
        // submit() signals a full batch through mutex_, so that wake-up cannot fall between
        // this check and the wait.
        wake_.wait_for(lock, cfg_.flush_interval, [this] {
            return stopping_ || flush_requested_ || pending_events_.load() >= cfg_.batch_max;
        });
        flush_requested_ = false;
        writing_ = true;
        lock.unlock();
        write_pending(block);
        lock.lock();
        writing_ = false;
        drained_.notify_all();
        if (stopping_ && pending_events_.load() == 0) return;
        if (std::chrono::steady_clock::now() - last_retention_ > std::chrono::minutes(1)) {
            lock.unlock();
            apply_retention();
            lock.lock();
        }
    }
}

// Each thread's block as one value: taking a block out holds only that thread's lock, briefly.
void event_recorder::write_pending(storage::event_block_builder& block) {
    for (auto& shard : pending_.all()) {
        {
            std::lock_guard lock(shard.mutex);
            if (shard.value.empty()) continue;
            std::swap(block, shard.value);
        }
        pending_events_ -= block.size();
        pending_bytes_ -= block.record_bytes();
        write(block);
    }
}

void event_recorder::write(storage::event_block_builder& block) {
    try {
        log_.append(block);
        written_ += block.size();
    } catch (const std::exception& e) {
        dropped_ += block.size();
        spdlog::error("pull events not written count={} error={}", block.size(), storage::log_value(e.what()));
    }
    block.clear();
    // A burst of long events (paths and Range headers at the header limit) must not stay
    // allocated: this block is swapped into a thread's shard next, and the pending bound counts
    // bytes in use.
    if (block.capacity() > kept_block_bytes) block = storage::event_block_builder();
}

void event_recorder::apply_retention() {
    last_retention_ = std::chrono::steady_clock::now();
    try {
        const auto cutoff = std::chrono::system_clock::now() - cfg_.retention;
        const auto aged = log_.delete_before(
            std::chrono::duration_cast<std::chrono::nanoseconds>(cutoff.time_since_epoch()).count());
        const auto trimmed = log_.trim_to_bytes(cfg_.max_bytes);
        if (aged || trimmed) spdlog::info("pull event retention expired={} trimmed={}", aged, trimmed);
    } catch (const std::exception& e) {
        spdlog::error("pull event retention failed error={}", storage::log_value(e.what()));
    }
}

}  // namespace strata::proxy

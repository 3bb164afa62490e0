// event_recorder: the writer thread's batching loop and periodic retention.
#include "proxy/event_recorder.hpp"

#include <spdlog/spdlog.h>

#include <vector>

namespace strata::proxy {

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

void event_recorder::submit(storage::pull_event e) {
    if (!cfg_.enabled) return;
    bool full_batch = false;
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() >= cfg_.queue_capacity) {
            ++dropped_;
            return;
        }
        queue_.push_back(std::move(e));
        full_batch = queue_.size() >= cfg_.batch_max;
    }
    if (full_batch) wake_.notify_one();
}

void event_recorder::drain() {
    std::unique_lock lock(mutex_);
    flush_requested_ = true;
    wake_.notify_one();
    drained_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

void event_recorder::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait_for(lock, cfg_.flush_interval,
                       [this] { return stopping_ || flush_requested_ || queue_.size() >= cfg_.batch_max; });
        flush_requested_ = false;
        while (!queue_.empty()) {
            std::vector<storage::pull_event> batch;
            while (!queue_.empty() && batch.size() < cfg_.batch_max) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            writing_ = true;
            lock.unlock();
            try {
                log_.append(batch);
                written_ += batch.size();
            } catch (const std::exception& e) {
                dropped_ += batch.size();
                spdlog::error("pull events not written count={} error=\"{}\"", batch.size(), e.what());
            }
            lock.lock();
            writing_ = false;
        }
        drained_.notify_all();
        if (stopping_) return;
        if (std::chrono::steady_clock::now() - last_retention_ > std::chrono::minutes(1)) {
            lock.unlock();
            apply_retention();
            lock.lock();
        }
    }
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
        spdlog::error("pull event retention failed error=\"{}\"", e.what());
    }
}

}  // namespace strata::proxy

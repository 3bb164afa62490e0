// access_recorder: in-memory hit counts, flushed periodically as one RocksDB batch.
#include "proxy/observe/access_recorder.hpp"

#include "proxy/blocking.hpp"

#include "storage/untrusted/text_escape.hpp"

#include <spdlog/spdlog.h>

namespace strata::proxy {

void access_recorder::record(const std::string& digest) {
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    std::lock_guard lock(mutex_);
    auto& u = pending_[digest];
    u.digest = digest;
    ++u.hits;
    u.last_access_ns = now;
}

std::vector<storage::access_update> access_recorder::take_pending() {
    std::vector<storage::access_update> batch;
    std::lock_guard lock(mutex_);
    for (auto& [digest, update] : pending_) batch.push_back(std::move(update));
    pending_.clear();
    return batch;
}

std::size_t access_recorder::flush_now() {
    auto batch = take_pending();
    if (!batch.empty()) index_.record_accesses(batch);
    return batch.size();
}

awaitable<std::size_t> access_recorder::flush() {
    auto batch = take_pending();
    if (batch.empty()) co_return 0;
    auto write = [this, batch] {
        index_.record_accesses(batch);
        return batch.size();
    };
    co_return co_await run_blocking(blocking_, std::move(write));
}

awaitable<void> access_recorder::run(std::chrono::milliseconds interval) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        timer.expires_after(interval);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        try {
            co_await flush();
        } catch (const std::exception& e) {
            spdlog::error("access statistics not written error={}", storage::log_value(e.what()));
        }
    }
}

}  // namespace strata::proxy

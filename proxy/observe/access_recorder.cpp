// access_recorder: in-memory hit counts, flushed periodically as one RocksDB batch.
#include "proxy/observe/access_recorder.hpp"

#include "proxy/blocking.hpp"

#include "storage/untrusted/text_escape.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace strata::proxy {

void access_recorder::record(const std::string& digest) {
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    auto& shard = pending_.mine();
    std::lock_guard lock(shard.mutex);
    auto& u = shard.value[digest];
    u.digest = digest;
    ++u.hits;
    u.last_access_ns = now;
}

// One update per digest: the threads' hits added up, the latest access kept.
std::vector<storage::access_update> access_recorder::take_pending() {
    std::map<std::string, storage::access_update> merged;
    for (auto& shard : pending_.all()) {
        std::map<std::string, storage::access_update> taken;
        {
            std::lock_guard lock(shard.mutex);
            taken.swap(shard.value);
        }
        for (auto& [digest, update] : taken) {
            auto [it, fresh] = merged.try_emplace(digest, std::move(update));
            if (fresh) continue;
            it->second.hits += update.hits;
            it->second.last_access_ns = std::max(it->second.last_access_ns, update.last_access_ns);
        }
    }
    std::vector<storage::access_update> batch;
    batch.reserve(merged.size());
    for (auto& [digest, update] : merged) batch.push_back(std::move(update));
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

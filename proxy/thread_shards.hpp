// thread_shards: a few copies of some state, one per thread, each behind its own lock.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <mutex>

namespace strata::proxy {

// A small number for the calling thread, given on its first call; the network threads, the
// first to record anything, get distinct ones.
inline std::size_t this_thread_number() {
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t mine = next++;
    return mine;
}

// What every request records (access-log lines, pull events, hit counts) goes to its thread's
// shard, so that the network threads do not queue on one shared lock: a thread that blocks on a
// lock another one holds waits for the scheduler, and on a loaded machine that is milliseconds
// at the tail. A reader (a flush, a scrape) takes each shard's lock in turn. Threads past N
// share a shard: correct, merely contended again.
template <typename T, std::size_t N = 8>
class thread_shards {
public:
    struct alignas(64) shard {  // a cache line each: one thread's writes do not slow another's
        std::mutex mutex;
        T value{};
    };

    shard& mine() noexcept { return shards_[this_thread_number() % N]; }
    std::array<shard, N>& all() noexcept { return shards_; }

private:
    std::array<shard, N> shards_;
};

}  // namespace strata::proxy

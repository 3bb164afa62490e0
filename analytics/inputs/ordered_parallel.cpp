// ordered_parallel: a shared cursor for the workers, a done flag per index, and the caller
// consuming in order; one mutex and one condition variable for all of it.
#include "analytics/inputs/ordered_parallel.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace strata::analytics {
namespace {

struct shared_state {
    std::mutex mutex;
    std::condition_variable changed;
    std::size_t next = 0, consumed = 0;
    std::vector<char> done;
    std::exception_ptr failure;
    bool stop = false;
};

void work_loop(shared_state& s, std::size_t n, std::size_t ahead, const std::function<void(std::size_t)>& work) {
    for (;;) {
        std::size_t i = 0;
        {
            std::unique_lock lock(s.mutex);
            s.changed.wait(lock, [&] { return s.stop || s.next >= n || s.next < s.consumed + ahead; });
            if (s.stop || s.next >= n) return;
            i = s.next++;
        }
        std::exception_ptr failure;
        try {
            work(i);
        } catch (...) {
            failure = std::current_exception();
        }
        std::lock_guard lock(s.mutex);
        s.done[i] = 1;
        if (failure && !s.failure) s.failure = failure, s.stop = true;
        s.changed.notify_all();
    }
}

}  // namespace

void for_each_ordered(std::size_t n, std::size_t threads, std::size_t ahead, const std::function<void(std::size_t)>& work,
                      const std::function<void(std::size_t)>& consume) {
    shared_state s;
    s.done.assign(n, 0);
    ahead = std::max<std::size_t>(ahead, 1);
    {
        std::vector<std::jthread> workers;  // joined when the block ends, even by an exception
        const auto stop_all = [&] {
            std::lock_guard lock(s.mutex);
            s.stop = true;
            s.changed.notify_all();
        };
        try {
            for (std::size_t t = 0; t < std::max<std::size_t>(threads, 1); ++t)
                workers.emplace_back([&] { work_loop(s, n, ahead, work); });
            for (std::size_t c = 0; c < n; ++c) {
                {
                    std::unique_lock lock(s.mutex);
                    s.changed.wait(lock, [&] { return s.done[c] || s.stop; });
                    if (s.stop) break;
                }
                consume(c);
                std::lock_guard lock(s.mutex);
                s.consumed = c + 1;
                s.changed.notify_all();
            }
        } catch (...) {
            stop_all();
            throw;
        }
        stop_all();
    }
    if (s.failure) std::rethrow_exception(s.failure);
}

}  // namespace strata::analytics

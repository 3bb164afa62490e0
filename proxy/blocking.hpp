// run_blocking: runs disk-bound work (RocksDB, fsync) on the blocking pool, off the I/O threads.
#pragma once

#include "proxy/net.hpp"

#include <exception>
#include <memory>
#include <type_traits>
#include <utility>

namespace strata::proxy {

// Runs f() on pool and resumes the calling coroutine on its own executor with f's result.
// An exception thrown by f is rethrown in the caller. f must return a value (not void).
//
// f is taken by forwarding reference and moved to the heap here: GCC 12 miscompiles a
// by-value lambda parameter initialised from a prvalue inside a co_await expression
// (its std::string captures end up pointing into the caller's frame).
template <class F>
awaitable<std::invoke_result_t<std::decay_t<F>&>> run_blocking(asio::thread_pool& pool, F&& f) {
    using work_type = std::decay_t<F>;
    using R = std::invoke_result_t<work_type&>;
    static_assert(!std::is_void_v<R>, "run_blocking needs a value; return a bool for void work");
    auto work = std::make_unique<work_type>(std::forward<F>(f));
    return asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr, R)>(
        [&pool](auto handler, std::unique_ptr<work_type> work) {
            asio::post(pool, [handler = std::move(handler), work = std::move(work)]() mutable {
                std::exception_ptr error;
                R value{};
                try {
                    value = (*work)();
                } catch (...) {
                    error = std::current_exception();
                }
                auto home = asio::get_associated_executor(handler);
                asio::post(home, [handler = std::move(handler), error, value = std::move(value)]() mutable {
                    std::move(handler)(error, std::move(value));
                });
            });
        },
        asio::use_awaitable, std::move(work));
}

}  // namespace strata::proxy

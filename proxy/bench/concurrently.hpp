// concurrently: n coroutines started at once, awaited together.
#pragma once

#include "proxy/net.hpp"

#include <cstddef>
#include <exception>

namespace strata::proxy {

// Starts make(0) … make(n - 1) on the current executor, which must run on one thread, and
// returns when all have finished. The first exception any of them threw is rethrown then.
template <class Make>
awaitable<void> concurrently(std::size_t n, Make make) {
    if (n == 0) co_return;
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
    std::size_t running = n;
    std::exception_ptr first;
    for (std::size_t i = 0; i < n; ++i)
        asio::co_spawn(executor, make(i), [&](std::exception_ptr e) {
            if (e && !first) first = e;
            if (--running == 0) all_done.cancel();
        });
    error_code ec;
    if (running > 0) co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (first) std::rethrow_exception(first);
}

}  // namespace strata::proxy

// single_flight: concurrent callers asking for the same key share one in-flight computation.
#pragma once

#include "proxy/net.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <chrono>

#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace strata::proxy {

// The first caller for a key runs the computation; callers arriving while it runs wait
// for its result instead of starting their own. Once it finishes the key is free again,
// so later callers compute afresh (caching is the caller's business). Thread-safe.
template <class T>
class single_flight {
public:
    // Runs or joins the computation for key. `leader` is set true for the caller that ran it.
    awaitable<T> run(const std::string& key, std::function<awaitable<T>()> compute, bool* leader = nullptr) {
        std::shared_ptr<flight> f;
        bool leads = false;
        {
            std::lock_guard lock(mutex_);
            auto& slot = flights_[key];
            if (!slot) {
                slot = std::make_shared<flight>();
                leads = true;
            }
            f = slot;
        }
        if (leader) *leader = leads;
        if (leads) co_return co_await lead(key, f, std::move(compute));
        co_return co_await follow(f);
    }

    // The same, but the computation runs detached on the caller's executor, so it finishes even
    // when nobody waits for it any more, and this caller waits for it only until `wait` after it
    // started (whoever started it): nullopt when it has not finished by then. At most
    // max_detached such computations run at once: past that, nullopt at once and nothing starts.
    awaitable<std::optional<T>> run_detached(const std::string& key, std::function<awaitable<T>()> compute,
                                             std::chrono::milliseconds wait, std::size_t max_detached) {
        std::shared_ptr<flight> f;
        bool leads = false;
        {
            std::lock_guard lock(mutex_);
            const auto it = flights_.find(key);
            if (it != flights_.end()) {
                f = it->second;
            } else {
                if (detached_ >= max_detached) co_return std::nullopt;
                f = flights_.emplace(key, std::make_shared<flight>()).first->second;
                f->detached = true;
                ++detached_;
                leads = true;
            }
        }
        const auto executor = co_await asio::this_coro::executor;
        if (leads) asio::co_spawn(executor, lead(key, f, std::move(compute)), asio::detached);
        co_return co_await follow_until(f, f->started + wait);
    }

    // Detached computations running now.
    std::size_t detached() const {
        std::lock_guard lock(mutex_);
        return detached_;
    }

    std::size_t in_flight() const {
        std::lock_guard lock(mutex_);
        return flights_.size();
    }

private:
    using wakeup = asio::experimental::concurrent_channel<void(error_code)>;
    struct flight {
        std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
        bool detached = false;
        std::mutex mutex;
        bool done = false;
        std::optional<T> value;
        std::exception_ptr error;
        std::vector<std::shared_ptr<wakeup>> waiters;
    };

    awaitable<T> lead(std::string key, std::shared_ptr<flight> f, std::function<awaitable<T>()> compute) {
        std::optional<T> value;
        std::exception_ptr error;
        try {
            value.emplace(co_await compute());
        } catch (...) {
            error = std::current_exception();
        }
        {
            std::lock_guard lock(mutex_);
            flights_.erase(key);
            if (f->detached) --detached_;
        }
        {
            std::lock_guard lock(f->mutex);
            f->done = true;
            f->value = value;
            f->error = error;
            for (auto& w : f->waiters) w->try_send(error_code());
        }
        if (error) std::rethrow_exception(error);
        co_return std::move(*value);
    }

    awaitable<T> follow(std::shared_ptr<flight> f) {
        auto w = std::make_shared<wakeup>(co_await asio::this_coro::executor, 1);
        bool done = false;
        {
            std::lock_guard lock(f->mutex);
            done = f->done;
            if (!done) f->waiters.push_back(w);
        }
        if (!done) co_await w->async_receive(asio::as_tuple(asio::use_awaitable));
        std::lock_guard lock(f->mutex);
        if (f->error) std::rethrow_exception(f->error);
        co_return *f->value;
    }

    awaitable<std::optional<T>> follow_until(std::shared_ptr<flight> f, std::chrono::steady_clock::time_point deadline) {
        using namespace asio::experimental::awaitable_operators;
        const bool waits = std::chrono::steady_clock::now() < deadline;
        const auto executor = co_await asio::this_coro::executor;  // not inside ?: (GCC 12 miscompiles it)
        std::shared_ptr<wakeup> w;
        if (waits) w = std::make_shared<wakeup>(executor, 1);
        bool done = false;
        {
            std::lock_guard lock(f->mutex);
            done = f->done;
            if (!done && waits) f->waiters.push_back(w);
        }
        if (!done && waits) {
            asio::steady_timer timer(executor, deadline);
            co_await (w->async_receive(with_ec) || timer.async_wait(with_ec));
        }
        std::lock_guard lock(f->mutex);
        if (!f->done) {  // gave up: its channel leaves the flight's list, which would otherwise grow
            std::erase(f->waiters, w);
            co_return std::nullopt;
        }
        if (f->error) std::rethrow_exception(f->error);
        co_return f->value;
    }

    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<flight>> flights_;
    std::size_t detached_ = 0;
};

}  // namespace strata::proxy

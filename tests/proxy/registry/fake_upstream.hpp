// fake_upstream: an in-process registry upstream on 127.0.0.1 for unit tests of the services
// that talk to upstreams (blob_fetcher, manifest_service), and the rig such a service runs in.
// It answers each request with what the test's handler returns, counts requests by target, and
// can hold every response until the test releases it, so a test decides when a download ends
// instead of guessing how long it takes.
#pragma once

#include "proxy/config/config.hpp"
#include "proxy/net.hpp"
#include "proxy/observe/metrics.hpp"
#include "proxy/upstream/upstream_set.hpp"
#include "tests/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace strata::test {

namespace http = boost::beast::http;

class fake_upstream {
public:
    using request = http::request<http::string_body>;
    using response = http::response<http::string_body>;
    using handler = std::function<response(const request&)>;

    explicit fake_upstream(handler h) : handler_(std::move(h)) {
        acceptor_.open(proxy::tcp::v4());
        acceptor_.set_option(proxy::asio::socket_base::reuse_address(true));
        acceptor_.bind({proxy::asio::ip::make_address("127.0.0.1"), 0});
        acceptor_.listen();
        gate_.expires_at(proxy::asio::steady_timer::time_point::max());
        proxy::asio::co_spawn(io_, accept_loop(), proxy::asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }

    ~fake_upstream() {
        io_.stop();
        thread_.join();
    }

    fake_upstream(const fake_upstream&) = delete;
    fake_upstream& operator=(const fake_upstream&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

    // Requests received so far for target (path and query as sent), or in all.
    std::size_t requests(const std::string& target) const {
        std::lock_guard lock(mutex_);
        const auto it = counts_.find(target);
        return it == counts_.end() ? 0 : it->second;
    }
    std::size_t requests() const {
        std::lock_guard lock(mutex_);
        return total_;
    }
    // Blocks until n requests in all have arrived (false after a minute: the test fails).
    bool wait_for_requests(std::size_t n) const {
        std::unique_lock lock(mutex_);
        return arrived_.wait_for(lock, std::chrono::minutes(1), [&] { return total_ >= n; });
    }

    // Responses wait from now on until release().
    void hold() { held_ = true; }
    void release() {
        held_ = false;
        // Re-arming the gate wakes every response waiting on it.
        proxy::asio::post(io_, [this] { gate_.expires_at(proxy::asio::steady_timer::time_point::max()); });
    }

private:
    proxy::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(proxy::with_ec);
            if (ec) co_return;
            proxy::asio::co_spawn(io_, serve(std::move(socket)), proxy::asio::detached);
        }
    }

    proxy::awaitable<void> serve(proxy::tcp::socket socket) {
        boost::beast::tcp_stream stream(std::move(socket));
        boost::beast::flat_buffer buffer;
        for (;;) {
            request req;
            auto [ec, n] = co_await http::async_read(stream, buffer, req, proxy::with_ec);
            if (ec) co_return;
            count(std::string(req.target()));
            while (held_) co_await gate_.async_wait(proxy::with_ec);
            auto res = handler_(req);
            res.version(req.version());
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            auto [write_ec, written] = co_await http::async_write(stream, res, proxy::with_ec);
            if (write_ec || !res.keep_alive()) co_return;
        }
    }

    void count(const std::string& target) {
        {
            std::lock_guard lock(mutex_);
            ++counts_[target];
            ++total_;
        }
        arrived_.notify_all();
    }

    handler handler_;
    proxy::asio::io_context io_;
    proxy::tcp::acceptor acceptor_{io_};
    proxy::asio::steady_timer gate_{io_};
    std::atomic<bool> held_{false};
    mutable std::mutex mutex_;
    mutable std::condition_variable arrived_;
    std::map<std::string, std::size_t> counts_;
    std::size_t total_ = 0;
    std::thread thread_;
};

// Waits up to a minute for a condition another thread makes true; whether it came true.
template <class Condition>
bool came_true(Condition done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

// The same in a test: fails it when the minute is over.
template <class Condition>
void wait_until(Condition done) {
    REQUIRE(came_true(done));
}

// The default configuration with only the given upstreams (name, URL), the first the default,
// and no retries (a test's upstream answers at once or not at all).
inline proxy::config config_for(const std::vector<std::pair<std::string, std::string>>& upstreams) {
    proxy::config c = proxy::default_config();
    c.upstreams.clear();
    for (const auto& [name, url] : upstreams) {
        proxy::upstream_config u;
        u.name = name;
        u.url = url;
        u.origin = proxy::parse_origin(url, name);
        c.upstreams.push_back(u);
    }
    c.default_upstream = c.upstreams.front().name;
    c.client.retries.max_retries = 0;
    return c;
}

// What a service over upstreams needs around it: a configuration naming the upstreams, metrics,
// an I/O thread (started by start_io()) and a blocking pool, and a temporary data directory.
struct upstream_rig {
    explicit upstream_rig(proxy::config c) : cfg(std::move(c)) {}
    ~upstream_rig() { stop_io(); }

    void start_io() {
        if (!io_thread.joinable()) io_thread = std::thread([this] { io.run(); });
    }
    // Lets the I/O thread finish what is queued, then joins it and the blocking pool. A derived
    // rig calls it first in its destructor, before its services go.
    void stop_io() {
        work.reset();
        if (io_thread.joinable()) io_thread.join();
        blocking.join();
    }

    strata::test::temp_dir dir;
    proxy::config cfg;
    proxy::metrics stats;
    proxy::asio::io_context io;
    proxy::asio::executor_work_guard<proxy::asio::io_context::executor_type> work{io.get_executor()};
    proxy::asio::thread_pool blocking{2};
    proxy::upstream_set upstreams{cfg, &stats};
    std::thread io_thread;
};

}  // namespace strata::test

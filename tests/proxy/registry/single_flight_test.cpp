// Tests of single_flight: concurrent callers share one computation.
#include "proxy/registry/single_flight.hpp"

#include "tests/catch_result.hpp"

#include <stdexcept>

using namespace strata::proxy;

TEST_CASE("single_flight runs one computation for concurrent callers of a key") {
    asio::io_context io;
    single_flight<int> flights;
    int computations = 0;
    asio::steady_timer gate(io, std::chrono::hours(1));
    std::vector<int> results;
    int leaders = 0;
    auto caller = [&](std::string key) -> awaitable<void> {
        bool leader = false;
        std::function<awaitable<int>()> compute = [&]() -> awaitable<int> {
            ++computations;
            co_await gate.async_wait(asio::as_tuple(asio::use_awaitable));
            co_return 42;
        };
        results.push_back(co_await flights.run(key, std::move(compute), &leader));
        leaders += leader;
    };
    for (int i = 0; i < 5; ++i) asio::co_spawn(io, caller("k"), asio::detached);
    asio::co_spawn(io, caller("other"), asio::detached);
    io.poll();
    CHECK(computations == 2);
    CHECK(flights.in_flight() == 2);
    gate.cancel();
    io.run();
    CHECK(results == std::vector<int>(6, 42));
    CHECK(leaders == 2);
    CHECK(flights.in_flight() == 0);
}

TEST_CASE("single_flight hands a failure to every waiter and frees the key") {
    asio::io_context io;
    single_flight<int> flights;
    asio::steady_timer gate(io, std::chrono::hours(1));
    int failures = 0;
    auto caller = [&]() -> awaitable<void> {
        std::function<awaitable<int>()> compute = [&]() -> awaitable<int> {
            co_await gate.async_wait(asio::as_tuple(asio::use_awaitable));
            throw std::runtime_error("boom");
        };
        try {
            co_await flights.run("k", std::move(compute));
        } catch (const std::runtime_error&) {
            ++failures;
        }
    };
    for (int i = 0; i < 3; ++i) asio::co_spawn(io, caller(), asio::detached);
    io.poll();
    gate.cancel();
    io.run();
    CHECK(failures == 3);
    CHECK(flights.in_flight() == 0);
}

TEST_CASE("run_detached waits only until its deadline, and the computation finishes without waiters") {
    asio::io_context io;
    single_flight<int> flights;
    asio::steady_timer gate(io, std::chrono::hours(1));
    int computations = 0, finished = 0;
    std::vector<std::optional<int>> results;
    std::function<awaitable<int>()> compute = [&]() -> awaitable<int> {
        ++computations;
        co_await gate.async_wait(asio::as_tuple(asio::use_awaitable));
        ++finished;
        co_return 7;
    };
    auto caller = [&](std::chrono::milliseconds wait) -> awaitable<void> {
        results.push_back(co_await flights.run_detached("k", compute, wait, 1));
    };
    asio::co_spawn(io, caller(std::chrono::milliseconds(0)), asio::detached);
    asio::co_spawn(io, caller(std::chrono::milliseconds(0)), asio::detached);
    asio::co_spawn(io, caller(std::chrono::hours(1)), asio::detached);
    // Another key past the cap of one detached computation: nothing starts, no wait.
    std::optional<int> capped = 1;
    auto other = [&]() -> awaitable<void> { capped = co_await flights.run_detached("other", compute, std::chrono::hours(1), 1); };
    asio::co_spawn(io, other(), asio::detached);
    io.poll();
    CHECK_FALSE(capped);
    CHECK(flights.detached() == 1);
    // The two that would not wait have their answer (none yet); one computation runs on.
    REQUIRE(results.size() == 2);
    CHECK_FALSE(results[0]);
    CHECK_FALSE(results[1]);
    CHECK(computations == 1);
    CHECK(flights.in_flight() == 1);
    gate.cancel();
    io.run();
    CHECK(finished == 1);
    REQUIRE(results.size() == 3);
    CHECK(results[2] == 7);  // the patient one got it
    CHECK(flights.in_flight() == 0);
    CHECK(flights.detached() == 0);
}

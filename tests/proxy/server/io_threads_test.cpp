// Tests of the per-thread io_contexts: connections handed out in turn, each context on a thread of its own.
#include "proxy/server/io_threads.hpp"

#include <catch2/catch.hpp>

#include <mutex>
#include <set>
#include <thread>

using namespace strata::proxy;

TEST_CASE("connections go to each thread's context in turn, and every context runs on a thread of its own") {
    io_threads threads(3);
    std::vector<asio::execution_context*> contexts;
    for (int i = 0; i < 6; ++i)
        contexts.push_back(&asio::query(threads.next_connection_executor(), asio::execution::context));
    CHECK(contexts[0] == &threads.main());
    CHECK(contexts[0] != contexts[1]);
    CHECK(contexts[1] != contexts[2]);
    CHECK(contexts[0] != contexts[2]);
    CHECK(contexts[3] == contexts[0]);
    CHECK(contexts[5] == contexts[2]);

    std::mutex mutex;
    std::set<std::thread::id> ran_on;
    for (int i = 0; i < 3; ++i)
        asio::post(threads.next_connection_executor(), [&] {
            std::lock_guard lock(mutex);
            ran_on.insert(std::this_thread::get_id());
            if (ran_on.size() == 3) threads.stop();
        });
    threads.run();  // returns once stopped: the three ran, each on its own thread
    CHECK(ran_on.size() == 3);
}

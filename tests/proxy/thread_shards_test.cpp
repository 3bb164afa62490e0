// Tests of thread_shards: each thread keeps its shard, different threads get different ones.
#include "proxy/thread_shards.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace strata::proxy;

TEST_CASE("a thread keeps its shard, and threads of different numbers get different ones") {
    thread_shards<int, 4> shards;
    auto* mine = &shards.mine();
    CHECK(&shards.mine() == mine);
    decltype(mine) theirs = nullptr;
    std::size_t their_number = 0;
    std::thread([&] {
        theirs = &shards.mine();
        their_number = this_thread_number();
    }).join();
    CHECK(their_number != this_thread_number());
    // Threads of other tests in this process may have taken the numbers in between.
    CHECK((theirs == mine) == (their_number % 4 == this_thread_number() % 4));
    CHECK(&shards.all()[this_thread_number() % 4] == mine);
}

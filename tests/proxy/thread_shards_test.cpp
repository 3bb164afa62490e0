// Tests of thread_shards: each thread keeps its shard, different threads get different ones.
#include "proxy/thread_shards.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace strata::proxy;

TEST_CASE("a thread keeps its shard and the next thread gets another") {
    thread_shards<int, 4> shards;
    auto* mine = &shards.mine();
    CHECK(&shards.mine() == mine);
    decltype(mine) theirs = nullptr;
    std::thread([&] { theirs = &shards.mine(); }).join();
    CHECK(theirs != mine);
    std::size_t reached = 0;
    for (auto& s : shards.all()) reached += (&s == mine || &s == theirs);
    CHECK(reached == 2);
}

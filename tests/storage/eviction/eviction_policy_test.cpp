// Tests of the eviction policies: scripted sequences with known victims, and random traces
// replayed against tiny reference models written as plainly as possible.
#include "storage/eviction/eviction_policy.hpp"
#include "tests/storage/eviction/reference_model.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <random>

using namespace strata::storage;
using strata::storage::testing::reference_model;

namespace {

std::vector<object_id> victims(eviction_policy& p, std::size_t n) {
    std::vector<object_id> out;
    for (std::size_t i = 0; i < n; ++i)
        if (auto v = p.pick_victim()) out.push_back(*v);
    return out;
}

}  // namespace

TEST_CASE("policy names parse and print") {
    for (auto kind : all_eviction_kinds()) CHECK(parse_eviction_kind(eviction_kind_name(kind)) == kind);
    CHECK_FALSE(parse_eviction_kind("LRU"));
    CHECK_FALSE(parse_eviction_kind(""));
    CHECK(all_eviction_kinds().size() == 6);
}

TEST_CASE("scripted sequences evict the victims each policy is defined to choose") {
    // Insert 1..4 (sizes 10, 100, 10, 1000), then access 1, 1, 3.
    const auto run = [](eviction_kind kind) {
        auto p = make_eviction_policy(kind);
        const std::uint64_t sizes[] = {10, 100, 10, 1000};
        for (object_id id = 1; id <= 4; ++id) p->on_insert(id, sizes[id - 1]);
        for (object_id id : {1, 1, 3}) p->on_access(id);
        return victims(*p, 4);
    };
    CHECK(run(eviction_kind::lru) == std::vector<object_id>{2, 4, 1, 3});
    CHECK(run(eviction_kind::fifo) == std::vector<object_id>{1, 2, 3, 4});
    CHECK(run(eviction_kind::lfu) == std::vector<object_id>{2, 4, 3, 1});
    // priorities 3/10, 1/100, 2/10, 1/1000: the big layer goes first.
    CHECK(run(eviction_kind::gdsf) == std::vector<object_id>{4, 2, 3, 1});
    // The hand clears 1 then evicts 2; then 3 is cleared, 4 evicted, and 1, 3 follow.
    CHECK(run(eviction_kind::sieve) == std::vector<object_id>{2, 4, 1, 3});
    // All in the small queue: 1 moves to main, 2 is evicted, 3 moves, 4 is evicted, then main.
    CHECK(run(eviction_kind::s3fifo) == std::vector<object_id>{2, 4, 1, 3});
}

TEST_CASE("S3-FIFO readmits a ghost straight into the main queue") {
    auto p = make_eviction_policy(eviction_kind::s3fifo);
    p->on_insert(1, 10);
    p->on_insert(2, 10);
    CHECK(p->pick_victim() == object_id{1});  // never accessed: a ghost now
    p->on_insert(1, 10);                       // back: goes to main
    p->on_insert(3, 10);
    // small = {2, 3} (20 bytes of 30): small is drained first, main's 1 survives.
    CHECK(victims(*p, 3) == std::vector<object_id>{2, 3, 1});
}

TEST_CASE("every policy matches its reference model on random traces") {
    for (auto kind : all_eviction_kinds()) {
        for (unsigned seed = 1; seed <= 20; ++seed) {
            INFO(eviction_kind_name(kind) << " seed " << seed);
            std::mt19937_64 rng(seed);
            auto policy = make_eviction_policy(kind);
            reference_model model(kind);
            std::map<object_id, bool> tracked;
            std::vector<object_id> got, want;
            object_id next_id = 1;
            for (int step = 0; step < 600; ++step) {
                const auto op = rng() % 10;
                if (op < 3 || tracked.empty()) {
                    // Some ids come back after eviction (S3-FIFO's ghosts); sizes span 1 B to 8 GiB.
                    const object_id id = (rng() % 4 == 0 && next_id > 5) ? 1 + rng() % (next_id - 1) : next_id++;
                    if (tracked.count(id)) continue;
                    const std::uint64_t size = 1 + rng() % (rng() % 2 ? 1000 : 8ull << 30);
                    policy->on_insert(id, size);
                    model.insert(id, size);
                    tracked[id] = true;
                } else if (op < 8) {
                    auto it = tracked.begin();
                    std::advance(it, static_cast<std::ptrdiff_t>(rng() % tracked.size()));
                    policy->on_access(it->first);
                    model.access(it->first);
                } else if (op < 9) {
                    const auto v = policy->pick_victim();
                    const auto m = model.evict();
                    REQUIRE(v == m);
                    if (v) tracked.erase(*v);
                } else {
                    auto it = tracked.begin();
                    std::advance(it, static_cast<std::ptrdiff_t>(rng() % tracked.size()));
                    policy->erase(it->first);
                    model.erase(it->first);
                    tracked.erase(it);
                }
                REQUIRE(policy->size() == tracked.size());
            }
            while (auto v = policy->pick_victim()) {
                REQUIRE(v == model.evict());
                tracked.erase(*v);
            }
            CHECK(tracked.empty());
            CHECK_FALSE(model.evict());
        }
    }
}

TEST_CASE("policies ignore unknown ids and survive an empty cache") {
    for (auto kind : all_eviction_kinds()) {
        INFO(eviction_kind_name(kind));
        auto p = make_eviction_policy(kind);
        p->on_access(7);
        p->erase(7);
        CHECK_FALSE(p->pick_victim());
        p->on_insert(1, 0);  // a zero-byte blob exists (the empty layer)
        p->on_restore_access(1, 5);
        CHECK(p->pick_victim() == object_id{1});
        CHECK(p->size() == 0);
    }
}

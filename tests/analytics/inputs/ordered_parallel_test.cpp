// for_each_ordered: every index worked once, consumed in order, never too far ahead, and
// failures rethrown after the workers stop.
#include "analytics/inputs/ordered_parallel.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <vector>

using strata::analytics::for_each_ordered;

TEST_CASE("for_each_ordered consumes every result in index order, with a bounded lead") {
    for (const std::size_t threads : {1, 2, 4}) {
        const std::size_t n = 500, ahead = 3;
        std::vector<std::atomic<int>> worked(n);
        std::atomic<std::size_t> consumed{0}, max_lead{0};
        std::vector<std::size_t> order;
        for_each_ordered(
            n, threads, ahead,
            [&](std::size_t i) {
                ++worked[i];
                const auto lead = i - consumed.load();
                for (auto m = max_lead.load(); lead > m && !max_lead.compare_exchange_weak(m, lead);) {
                }
            },
            [&](std::size_t i) {
                order.push_back(i);
                consumed = i + 1;
            });
        REQUIRE(order.size() == n);
        for (std::size_t i = 0; i < n; ++i) {
            CHECK(order[i] == i);
            CHECK(worked[i] == 1);
        }
        CHECK(max_lead.load() < ahead);
    }
    for_each_ordered(0, 2, 2, [](std::size_t) { FAIL("no work"); }, [](std::size_t) { FAIL("nothing to consume"); });
}

TEST_CASE("for_each_ordered rethrows a failure once the workers have stopped") {
    std::atomic<std::size_t> started{0};
    CHECK_THROWS_WITH(for_each_ordered(
                          1000, 2, 4,
                          [&](std::size_t i) {
                              ++started;
                              if (i == 10) throw std::runtime_error("file 10 failed");
                          },
                          [](std::size_t) {}),
                      "file 10 failed");
    CHECK(started.load() < 1000);  // the rest was skipped
    CHECK_THROWS_WITH(for_each_ordered(
                          100, 2, 4, [](std::size_t) {},
                          [](std::size_t i) {
                              if (i == 5) throw std::runtime_error("consumer failed");
                          }),
                      "consumer failed");
}

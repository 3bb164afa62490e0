// Tests of the token cache: expiry, invalidation, the byte budget.
#include "proxy/upstream/token_cache.hpp"

#include "tests/catch_result.hpp"

using namespace strata::proxy;
using namespace std::chrono_literals;

TEST_CASE("token_cache expires and invalidates") {
    token_cache cache;
    const auto now = wall_clock::now();
    cache.store("k", {"tok", now + 10s});
    CHECK(cache.find("k", now) == "tok");
    CHECK_FALSE(cache.find("other", now));
    CHECK_FALSE(cache.find("k", now + 10s));
    cache.store("k", {"tok2", now + 10s});
    cache.invalidate("k");
    CHECK_FALSE(cache.find("k", now));
}

TEST_CASE("token_cache stays within its byte budget, dropping the soonest-expiring token first") {
    const auto now = wall_clock::now();
    token_cache cache(3000);
    const std::string big(1000, 't');
    cache.store("a", {big, now + std::chrono::seconds(300)});
    cache.store("b", {big, now + std::chrono::seconds(60)});
    cache.store("c", {big, now + std::chrono::seconds(600)});  // over budget: b expires first
    CHECK(cache.bytes() <= cache.byte_budget());
    CHECK(cache.find("a", now));
    CHECK_FALSE(cache.find("b", now));
    CHECK(cache.find("c", now));
    cache.store("huge", {std::string(200'000, 'x'), now + std::chrono::seconds(600)});  // never kept
    CHECK_FALSE(cache.find("huge", now));
    CHECK(cache.find("a", now));
    cache.invalidate("a");
    cache.invalidate("c");
    CHECK(cache.bytes() == 0);
}

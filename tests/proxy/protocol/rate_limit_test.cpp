// Tests of RateLimit-Limit / RateLimit-Remaining values as Docker Hub sends them, and hostile ones.
#include "proxy/protocol/rate_limit.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;

TEST_CASE("rate-limit values: a count and its window") {
    auto v = parse_rate_limit("100;w=21600");
    REQUIRE(v);
    CHECK(v->count == 100);
    CHECK(v->window_seconds == 21600);
    v = parse_rate_limit(" 0 ; w = 60 ");
    REQUIRE(v);
    CHECK(v->count == 0);
    CHECK(v->window_seconds == 60);
    v = parse_rate_limit("76");
    REQUIRE(v);
    CHECK(v->window_seconds == 0);
    v = parse_rate_limit("5;policy=\"x\";w=30");  // other parameters are skipped
    REQUIRE(v);
    CHECK(v->window_seconds == 30);
    CHECK(parse_rate_limit("999999999999999999")->count == 999999999999999999ull);
}

TEST_CASE("malformed rate-limit values are refused, never half-read") {
    for (const char* bad : {"", " ", ";w=1", "-1", "+1", "1.5", "1e3", "0x10", "1 2", "100,200", "100;", "100;w",
                            "100;w=", "100;w=-5", "100;w=1h", "100;=5", "100;w x=5", "1000000000000000000",
                            "100;w=99999999999999999999", "\x01", "100\r\nX-Evil: 1"})
        CHECK_FALSE(parse_rate_limit(bad));
}

// Tests of token responses, RFC 3339 times and the token cache.
#include "proxy/token_cache.hpp"

#include "tests/catch_result.hpp"

using namespace strata::proxy;
using namespace std::chrono_literals;

TEST_CASE("parse_rfc3339") {
    auto t = parse_rfc3339("2024-08-22T01:02:03Z");
    REQUIRE(t);
    CHECK(wall_clock::to_time_t(*t) == 1724288523);
    CHECK(wall_clock::to_time_t(*parse_rfc3339("2024-08-22T01:02:03.123456789Z")) == 1724288523);
    CHECK(wall_clock::to_time_t(*parse_rfc3339("2024-08-22T03:02:03+02:00")) == 1724288523);
    for (const char* bad : {"", "2024-08-22", "2024-13-22T01:02:03Z", "2024-08-22T01:02:03", "2024-08-22T01:02:03Zjunk",
                            "yyyy-08-22T01:02:03Z", "2024-08-22T01:02:03+0200"})
        CHECK_FALSE(parse_rfc3339(bad));
}

TEST_CASE("parse_token_response honours expires_in and issued_at with a safety margin") {
    const auto now = wall_clock::from_time_t(1724288523);
    auto t = parse_token_response(R"({"token":"abc","expires_in":300})", now);
    REQUIRE(t);
    CHECK(t->token == "abc");
    CHECK(t->expires == now + 300s - 30s);
    t = parse_token_response(R"({"access_token":"xyz"})", now);
    CHECK(t->token == "xyz");
    CHECK(t->expires == now + 60s - 6s);  // default lifetime 60 s
    t = parse_token_response(R"({"token":"abc","expires_in":100,"issued_at":"2024-08-22T01:01:03Z"})", now);
    CHECK(t->expires == now - 60s + 100s - 10s);
    t = parse_token_response(R"({"token":"abc","expires_in":100,"issued_at":"2099-01-01T00:00:00Z"})", now);
    CHECK(t->expires == now + 90s);  // an issued_at in the future is not trusted
}

TEST_CASE("parse_token_response rejects bodies without a usable token") {
    const auto now = wall_clock::now();
    for (const char* bad : {"", "[]", "{}", R"({"token":""})", R"({"token":5})", "not json", R"({"token":null})"}) {
        INFO(bad);
        auto t = parse_token_response(bad, now);
        REQUIRE_FALSE(t);
        CHECK(t.error() == strata::errc::upstream_protocol);
    }
    auto t = parse_token_response(R"({"token":"a","expires_in":-5})", now);
    CHECK(t->expires == now + 54s);
    t = parse_token_response(R"({"token":"a","expires_in":99999999999})", now);
    CHECK(t->expires <= now + 24h);
}

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

TEST_CASE("a token that could not be a header value is refused") {
    const auto now = wall_clock::now();
    CHECK(parse_token_response(R"({"token":"ab\r\nX-Injected: 1"})", now).error() == strata::errc::upstream_protocol);
    CHECK(parse_token_response(R"({"token":"a b"})", now).error() == strata::errc::upstream_protocol);
    CHECK(parse_token_response("{\"token\":\"" + std::string(max_token_bytes + 1, 'x') + "\"}", now).error() ==
          strata::errc::upstream_protocol);
    CHECK(parse_token_response("{\"token\":\"" + std::string(max_token_bytes, 'x') + "\"}", now));
    CHECK(parse_token_response("{\"token\":" + std::string(1000, '[') + "}", now).error() ==
          strata::errc::upstream_protocol);
}

TEST_CASE("an RFC 3339 time outside what the clock can hold is refused, not overflowed") {
    CHECK_FALSE(parse_rfc3339("9999-01-01T00:00:00Z"));
    CHECK_FALSE(parse_rfc3339("1012-08-22T01:00:00.123456789Z"));
    CHECK(parse_rfc3339("2261-01-01T00:00:00Z"));
    CHECK(parse_rfc3339("1678-01-01T00:00:00Z"));
}

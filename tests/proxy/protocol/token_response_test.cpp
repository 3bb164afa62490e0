// Tests of token responses and RFC 3339 times.
#include "proxy/protocol/token_response.hpp"

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

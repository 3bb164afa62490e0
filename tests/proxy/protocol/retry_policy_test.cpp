// Tests of retryable statuses, Retry-After parsing and backoff.
#include "proxy/protocol/retry_policy.hpp"

#include "tests/catch_result.hpp"

using namespace strata::proxy;
using namespace std::chrono_literals;

TEST_CASE("retryable statuses") {
    for (unsigned s : {429u, 500u, 502u, 503u, 504u}) CHECK(is_retryable_status(s));
    for (unsigned s : {200u, 401u, 403u, 404u, 501u}) CHECK_FALSE(is_retryable_status(s));
}

TEST_CASE("parse_retry_after: seconds and HTTP dates") {
    const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
    CHECK(parse_retry_after("120", now) == 120000ms);
    CHECK(parse_retry_after(" 0 ", now) == 0ms);
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now) == 10000ms);
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now) == 0ms);
    CHECK(parse_retry_after("99999999999", now) == 86400000ms);
    for (const char* bad : {"", "-1", "soon", "1.5", "Sun, 06 Nov 1994"}) CHECK_FALSE(parse_retry_after(bad, now));
}

// Found by fuzz_retry_after: a date outside 1678..2261 overflowed the nanosecond time_point
// (undefined behaviour; here the year 997 came out as a wait of 171 years, 9999 as none).
TEST_CASE("parse_retry_after: dates far in the past or future") {
    const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
    CHECK(parse_retry_after("Sun, 06 Nov 0997 08:49:37 GMT", now) == 0ms);
    CHECK(parse_retry_after("Sat, 01 Jan 0000 00:00:00 GMT", now) == 0ms);
    CHECK(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now) == 86400000ms);
    CHECK(parse_retry_after("Mon, 07 Nov 1994 08:49:37 GMT", now) == 86400000ms);
    CHECK(parse_retry_after("Mon, 07 Nov 1994 08:49:38 GMT", now) == 86400000ms);
    CHECK(parse_retry_after("Mon, 07 Nov 1994 08:49:36 GMT", now) == 86399000ms);
}

TEST_CASE("retry_delay: Retry-After capped, else exponential backoff capped") {
    retry_config cfg;
    cfg.base_backoff = 100ms;
    cfg.max_backoff = 1000ms;
    cfg.max_retry_after = 5000ms;
    CHECK(retry_delay(cfg, 1, std::nullopt) == 100ms);
    CHECK(retry_delay(cfg, 2, std::nullopt) == 200ms);
    CHECK(retry_delay(cfg, 4, std::nullopt) == 800ms);
    CHECK(retry_delay(cfg, 10, std::nullopt) == 1000ms);
    CHECK(retry_delay(cfg, 1, 3000ms) == 3000ms);
    CHECK(retry_delay(cfg, 1, 60000ms) == 5000ms);
}

// fuzz_token_response: token endpoint bodies (proxy/upstream/token_cache parse_token_response) and the
// RFC 3339 times in them (proxy/upstream/token_cache parse_rfc3339, checked against analytics/inputs/k8s_events
// parse_rfc3339, which reads the same grammar).
#include "analytics/inputs/k8s_events.hpp"
#include "proxy/protocol/token_response.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace strata;
using namespace strata::proxy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::as_text(data, size);
    // 2024-08-22T01:02:03Z: a fixed clock keeps every run of an input the same.
    const auto now = wall_clock::time_point(std::chrono::seconds(1724288523));

    if (auto t = parse_token_response(text, now)) {
        FUZZ_CHECK(!t->token.empty());
        FUZZ_CHECK(t->expires <= now + std::chrono::hours(24));  // expires_in is capped at a day
    } else {
        FUZZ_CHECK(t.error() == errc::upstream_protocol);
    }

    const auto proxy_time = parse_rfc3339(text);
    const auto analytics_time = analytics::parse_rfc3339(text);
    if (proxy_time && analytics_time)
        FUZZ_CHECK(std::chrono::duration_cast<std::chrono::seconds>(proxy_time->time_since_epoch()).count() ==
                   *analytics_time);
    return 0;
}

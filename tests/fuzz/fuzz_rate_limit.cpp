// fuzz_rate_limit: RateLimit-Limit / RateLimit-Remaining values from upstreams
// (proxy/protocol/rate_limit parse_rate_limit), and the quota state they feed
// (proxy/upstream/upstream_quota).
#include "proxy/protocol/rate_limit.hpp"
#include "proxy/upstream/upstream_quota.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace strata;
using namespace strata::proxy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto value = fuzz::as_text(data, size);
    if (const auto v = parse_rate_limit(value)) {
        FUZZ_CHECK(v->count < 1000000000000000000ull);
        FUZZ_CHECK(v->window_seconds < 1000000000000000000ull);
    }
    // The same text as both headers of a 429 and then of a 200: sparing ends within a day.
    const upstream_quota::clock::time_point t0{std::chrono::hours(1000)};
    upstream_quota q(10);
    const auto half = value.substr(0, value.size() / 2);
    q.observe(429, half, value, std::nullopt, t0);
    q.observe(200, value, half, std::chrono::milliseconds(5000), t0);
    const auto seen = q.at(t0);
    FUZZ_CHECK(seen.sparing_for <= std::chrono::hours(24));
    FUZZ_CHECK(!q.sparing(t0 + std::chrono::hours(24) + std::chrono::seconds(1)));
    return 0;
}

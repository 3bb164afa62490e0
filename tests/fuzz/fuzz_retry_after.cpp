// fuzz_retry_after: Retry-After values from upstreams, delta-seconds or an HTTP-date
// (proxy/protocol/retry_policy parse_retry_after), and the delay retry_delay makes of them.
#include "proxy/protocol/retry_policy.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <algorithm>

using namespace strata;
using namespace strata::proxy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // 2024-08-22T01:02:03Z: a fixed clock keeps every run of an input the same.
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1724288523));
    const auto value = fuzz::as_text(data, size);
    const auto wait = parse_retry_after(value, now);
    if (wait) FUZZ_CHECK(wait->count() >= 0 && *wait <= std::chrono::hours(24));
    const retry_config cfg;
    for (int attempt = 1; attempt <= 40; attempt += 13) {
        const auto delay = retry_delay(cfg, attempt, wait);
        FUZZ_CHECK(delay.count() >= 0);
        FUZZ_CHECK(delay <= std::max(cfg.max_retry_after, cfg.max_backoff));
    }
    return 0;
}

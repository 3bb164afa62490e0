// retry_policy: which upstream answers are retried, and how long to wait before the next try.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace strata::proxy {

struct retry_config {
    int max_retries = 3;                                  // tries after the first
    std::chrono::milliseconds base_backoff{200};          // doubles each try
    std::chrono::milliseconds max_backoff{5000};
    std::chrono::milliseconds max_retry_after{30000};     // longest Retry-After honoured
};

// True for statuses worth another try of an idempotent request: 429, 500, 502, 503, 504.
bool is_retryable_status(unsigned status) noexcept;

// Parses Retry-After: delta-seconds or an HTTP-date (IMF-fixdate), relative to now; either is
// capped at a day.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// The wait before try number `attempt` (1 for the first retry): Retry-After when the
// upstream gave one (capped by max_retry_after), else exponential backoff capped by max_backoff.
std::chrono::milliseconds retry_delay(const retry_config& cfg, int attempt,
                                      std::optional<std::chrono::milliseconds> retry_after);

}  // namespace strata::proxy

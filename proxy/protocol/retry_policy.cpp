// retry_policy: Retry-After parsing and capped exponential backoff.
#include "proxy/protocol/retry_policy.hpp"

#include <charconv>
#include <cstring>
#include <ctime>

namespace strata::proxy {
namespace {

constexpr std::int64_t max_retry_after_s = 86400;

}  // namespace

bool is_retryable_status(unsigned status) noexcept {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    std::uint64_t seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && end == value.data() + value.size())
        return std::chrono::milliseconds(std::min<std::uint64_t>(seconds, max_retry_after_s) * 1000);
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    std::tm tm{};
    const std::string text(value);
    const char* parsed = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!parsed || *parsed != '\0') return std::nullopt;
    // Compared in seconds first: %Y reads years 0 to 9999, and a system_clock time_point
    // (nanoseconds) overflows outside 1678 to 2261.
    const std::int64_t when_s = timegm(&tm);
    const auto now_s = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
    if (when_s <= now_s) return std::chrono::milliseconds(0);
    if (when_s - now_s > max_retry_after_s) return std::chrono::seconds(max_retry_after_s);
    const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(when_s));
    return std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
}

std::chrono::milliseconds retry_delay(const retry_config& cfg, int attempt,
                                      std::optional<std::chrono::milliseconds> retry_after) {
    if (retry_after) return std::min(*retry_after, cfg.max_retry_after);
    auto delay = cfg.base_backoff;
    for (int i = 1; i < attempt && delay < cfg.max_backoff; ++i) delay *= 2;
    return std::min(delay, cfg.max_backoff);
}

}  // namespace strata::proxy

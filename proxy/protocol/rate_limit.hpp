// rate_limit: the values of Docker Hub's RateLimit-Limit and RateLimit-Remaining headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace strata::proxy {

struct rate_limit_value {
    std::uint64_t count = 0;
    std::uint64_t window_seconds = 0;  // 0: the value named no window
};

// "100;w=21600" (Docker Hub), or "100" alone; spaces around ';' and '=' allowed, parameters other
// than w ignored (the IETF RateLimit draft allows more). nullopt for anything else: an empty or
// signed number, more than 18 digits, a second value, a bad parameter.
std::optional<rate_limit_value> parse_rate_limit(std::string_view value);

}  // namespace strata::proxy

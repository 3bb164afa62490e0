// token_response: what a registry's token endpoint answers (RFC 6750 bearer tokens, Docker's form).
#pragma once

#include "storage/oci/error.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace strata::proxy {

using wall_clock = std::chrono::system_clock;

// A token as a token endpoint returned it.
struct issued_token {
    std::string token;
    wall_clock::time_point expires;
};

// Parses a token endpoint's JSON ("token" or "access_token", "expires_in" seconds, default
// 60, "issued_at" RFC 3339). The token is treated as expiring at
// min(now, issued_at) + expires_in - a safety margin of 10% (at most 30 s).
// errc::upstream_protocol for a body with no usable token: none, nested too deep, longer than
// max_token_bytes, or holding anything but visible ASCII (it goes into a header).
inline constexpr std::size_t max_token_bytes = 16 * 1024;
result<issued_token> parse_token_response(std::string_view body, wall_clock::time_point now);

// Parses an RFC 3339 time ("2024-08-22T01:02:03Z", fractional seconds and offsets allowed).
std::optional<wall_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace strata::proxy

// token_cache: bearer tokens per (upstream, scope) with their expiry; and token response parsing.
#pragma once

#include "storage/error.hpp"

#include <chrono>
#include <map>
#include <mutex>
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
// errc::upstream_protocol for a body with no usable token.
result<issued_token> parse_token_response(std::string_view body, wall_clock::time_point now);

// Parses an RFC 3339 time ("2024-08-22T01:02:03Z", fractional seconds and offsets allowed).
std::optional<wall_clock::time_point> parse_rfc3339(std::string_view text);

// Thread-safe cache. Never logs or exposes tokens.
class token_cache {
public:
    std::optional<std::string> find(const std::string& key, wall_clock::time_point now);
    void store(const std::string& key, issued_token token);
    void invalidate(const std::string& key);

private:
    std::mutex mutex_;
    std::map<std::string, issued_token> tokens_;
};

}  // namespace strata::proxy

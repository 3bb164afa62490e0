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
// errc::upstream_protocol for a body with no usable token: none, nested too deep, longer than
// max_token_bytes, or holding anything but visible ASCII (it goes into a header).
inline constexpr std::size_t max_token_bytes = 16 * 1024;
result<issued_token> parse_token_response(std::string_view body, wall_clock::time_point now);

// Parses an RFC 3339 time ("2024-08-22T01:02:03Z", fractional seconds and offsets allowed).
std::optional<wall_clock::time_point> parse_rfc3339(std::string_view text);

// Thread-safe cache within a byte budget: past it the tokens that expire soonest are dropped,
// and a token bigger than the whole budget is not kept. Never logs or exposes tokens.
class token_cache {
public:
    explicit token_cache(std::size_t byte_budget = 4 << 20) : byte_budget_(byte_budget) {}

    std::optional<std::string> find(const std::string& key, wall_clock::time_point now);
    void store(const std::string& key, issued_token token);
    void invalidate(const std::string& key);

    std::size_t bytes() const;
    std::size_t byte_budget() const noexcept { return byte_budget_; }

private:
    static std::size_t cost(const std::string& key, const issued_token& token);
    void erase_locked(std::map<std::string, issued_token>::iterator it);

    std::size_t byte_budget_;
    mutable std::mutex mutex_;
    std::map<std::string, issued_token> tokens_;
    std::size_t bytes_ = 0;
};

}  // namespace strata::proxy

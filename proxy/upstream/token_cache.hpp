// token_cache: bearer tokens per (upstream, scope) with their expiry.
#pragma once

#include "proxy/protocol/token_response.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace strata::proxy {

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

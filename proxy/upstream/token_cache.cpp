// token_cache: a map by key with a byte count, trimmed soonest-expiring first.
#include "proxy/upstream/token_cache.hpp"

#include <algorithm>

namespace strata::proxy {
std::optional<std::string> token_cache::find(const std::string& key, wall_clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = tokens_.find(key);
    if (it == tokens_.end()) return std::nullopt;
    if (it->second.expires <= now) {
        erase_locked(it);
        return std::nullopt;
    }
    return it->second.token;
}

std::size_t token_cache::cost(const std::string& key, const issued_token& token) {
    return key.size() + token.token.size() + 96;
}

void token_cache::erase_locked(std::map<std::string, issued_token>::iterator it) {
    bytes_ -= cost(it->first, it->second);
    tokens_.erase(it);
}

void token_cache::store(const std::string& key, issued_token token) {
    std::lock_guard lock(mutex_);
    if (auto it = tokens_.find(key); it != tokens_.end()) erase_locked(it);
    const auto needed = cost(key, token);
    if (needed > byte_budget_) return;  // used for this request only, never kept
    // The token that expires first goes first: it is the least worth keeping.
    while (bytes_ + needed > byte_budget_) {
        auto first = std::min_element(tokens_.begin(), tokens_.end(),
                                      [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
        erase_locked(first);
    }
    bytes_ += needed;
    tokens_.emplace(key, std::move(token));
}

void token_cache::invalidate(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (auto it = tokens_.find(key); it != tokens_.end()) erase_locked(it);
}

std::size_t token_cache::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace strata::proxy

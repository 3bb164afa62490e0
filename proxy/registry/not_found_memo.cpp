// not_found_memo: a map of key to answer and expiry, and its byte budget.
#include "proxy/registry/not_found_memo.hpp"

namespace strata::proxy {

std::optional<errc> not_found_memo::find(std::string_view key, clock::time_point now) const {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end() || now >= it->second.expires) return std::nullopt;
    return it->second.answer;
}

void not_found_memo::drop_expired(clock::time_point now) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (now < it->second.expires) {
            ++it;
            continue;
        }
        bytes_ -= cost(it->first);
        it = entries_.erase(it);
    }
}

void not_found_memo::remember(std::string_view key, errc answer, clock::time_point now) {
    if (ttl_.count() <= 0 || cost(key) > byte_budget_) return;
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) {
        it->second = {answer, now + ttl_};
        return;
    }
    if (bytes_ + cost(key) > byte_budget_) drop_expired(now);
    if (bytes_ + cost(key) > byte_budget_) {
        entries_.clear();
        bytes_ = 0;
    }
    entries_.emplace(std::string(key), entry{answer, now + ttl_});
    bytes_ += cost(key);
}

std::size_t not_found_memo::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

}  // namespace strata::proxy

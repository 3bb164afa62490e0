// manifest_cache: list + hash map LRU.
#include "proxy/registry/manifest_cache.hpp"

namespace strata::proxy {

std::shared_ptr<const cached_manifest> manifest_cache::find(const std::string& digest) {
    std::lock_guard lock(mutex_);
    const auto it = by_digest_.find(digest);
    if (it == by_digest_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return *it->second;
}

std::size_t memory_cost(const cached_manifest& m) noexcept {
    return sizeof(cached_manifest) + 2 * m.digest.size() + m.media_type.size() + m.body.size() + 128;
}

std::size_t manifest_cache::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

void manifest_cache::insert(std::shared_ptr<const cached_manifest> manifest) {
    const auto cost = memory_cost(*manifest);
    if (capacity_ == 0 || cost > byte_budget_) return;
    std::lock_guard lock(mutex_);
    if (const auto it = by_digest_.find(manifest->digest); it != by_digest_.end()) {
        order_.splice(order_.begin(), order_, it->second);
        return;
    }
    order_.push_front(std::move(manifest));
    by_digest_.emplace(order_.front()->digest, order_.begin());
    bytes_ += cost;
    while (order_.size() > capacity_ || bytes_ > byte_budget_) {
        bytes_ -= memory_cost(*order_.back());
        by_digest_.erase(order_.back()->digest);
        order_.pop_back();
    }
}

}  // namespace strata::proxy

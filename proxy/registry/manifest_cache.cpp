// manifest_cache: list + hash map LRU.
#include "proxy/registry/manifest_cache.hpp"

#include "proxy/reply/reply.hpp"

#include <string_view>

namespace strata::proxy {
namespace {

// Visible ASCII only: nothing that could end a header line or start another.
bool header_safe(std::string_view value) {
    for (const char c : value)
        if (c < 0x21 || c > 0x7e) return false;
    return !value.empty();
}

}  // namespace

std::shared_ptr<const cached_manifest> make_cached_manifest(std::string digest, std::string media_type,
                                                            std::string body) {
    cached_manifest m{std::move(digest), std::move(media_type), std::move(body), {}};
    if (header_safe(m.digest) && header_safe(m.media_type)) {
        m.response_head = "Server: strata\r\nDocker-Distribution-API-Version: " + std::string(registry_api_version) +
                          "\r\nContent-Type: " + m.media_type + "\r\nDocker-Content-Digest: " + m.digest +
                          "\r\nETag: \"" + m.digest + "\"\r\nContent-Length: " + std::to_string(m.body.size()) + "\r\n";
    }
    return std::make_shared<const cached_manifest>(std::move(m));
}

std::shared_ptr<const cached_manifest> manifest_cache::find(std::string_view digest) {
    std::shared_lock lock(mutex_);
    const auto it = by_digest_.find(digest);
    if (it == by_digest_.end()) return nullptr;
    auto& e = *it->second;
    if (!e.hit.load(std::memory_order_relaxed)) e.hit.store(true, std::memory_order_relaxed);  // written once, not per hit
    return e.manifest;
}

std::size_t memory_cost(const cached_manifest& m) noexcept {
    return sizeof(cached_manifest) + 2 * m.digest.size() + m.media_type.size() + m.body.size() + m.response_head.size() +
           128;
}

std::size_t manifest_cache::bytes() const {
    std::shared_lock lock(mutex_);
    return bytes_;
}

void manifest_cache::insert(std::shared_ptr<const cached_manifest> manifest) {
    const auto cost = memory_cost(*manifest);
    if (capacity_ == 0 || cost > byte_budget_) return;
    std::unique_lock lock(mutex_);
    if (const auto it = by_digest_.find(manifest->digest); it != by_digest_.end()) {
        it->second->hit.store(true, std::memory_order_relaxed);
        return;
    }
    order_.emplace_front(std::move(manifest));
    by_digest_.emplace(order_.front().manifest->digest, order_.begin());
    bytes_ += cost;
    while (order_.size() > capacity_ || bytes_ > byte_budget_) evict_one();
}

// Every entry passed over loses its flag, so this ends within one round of the list.
void manifest_cache::evict_one() {
    while (order_.back().hit.exchange(false, std::memory_order_relaxed)) order_.splice(order_.begin(), order_, std::prev(order_.end()));
    const auto& victim = *order_.back().manifest;
    bytes_ -= memory_cost(victim);
    by_digest_.erase(victim.digest);
    order_.pop_back();
}

}  // namespace strata::proxy

// admin_guard: constant-time token check and per-address failure windows.
#include "proxy/admin/admin_guard.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace strata::proxy {

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

admin_guard::verdict admin_guard::check(std::string_view authorization, const std::string& client,
                                        bool client_is_loopback, clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (throttled_locked(client, now)) return verdict::throttled;
    const bool ok = token_.empty() ? client_is_loopback
                                   : authorization.starts_with("Bearer ") &&
                                         constant_time_equal(authorization.substr(7), token_);
    if (ok) return verdict::allowed;
    record_failure_locked(client, now);
    return verdict::denied;
}

bool admin_guard::throttled_locked(const std::string& client, clock::time_point now) {
    auto it = failures_.find(client);
    if (it == failures_.end()) return false;
    if (now - it->second.since >= window) {
        failures_.erase(it);
        return false;
    }
    return it->second.count >= max_failures;
}

void admin_guard::record_failure_locked(const std::string& client, clock::time_point now) {
    if (!failures_.count(client) && failures_.size() >= max_clients) {
        auto oldest = std::min_element(failures_.begin(), failures_.end(), [](const auto& a, const auto& b) {
            return a.second.since < b.second.since;
        });
        failures_.erase(oldest);
    }
    auto& f = failures_[client];
    if (f.count == 0) f.since = now;
    ++f.count;
}

}  // namespace strata::proxy

// connection_pool: LIFO reuse with an idle-time limit.
#include "proxy/upstream/connection_pool.hpp"

namespace strata::proxy {

std::unique_ptr<upstream_connection> connection_pool::take(const std::string& origin) {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(origin);
    if (it == idle_.end()) return nullptr;
    const auto now = clock::now();
    while (!it->second.empty()) {
        auto entry = std::move(it->second.back());
        it->second.pop_back();
        // Servers close idle keep-alive connections after a while; do not bet on old ones.
        if (now - entry.since < max_idle_time_) return std::move(entry.conn);
    }
    return nullptr;
}

void connection_pool::give_back(const std::string& origin, std::unique_ptr<upstream_connection> conn) {
    std::lock_guard lock(mutex_);
    auto& list = idle_[origin];
    if (list.size() >= max_idle_) return;
    list.push_back({std::move(conn), clock::now()});
}

}  // namespace strata::proxy

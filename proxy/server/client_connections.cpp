// client_connections: admission, idle tracking and the longest-idle-first close.
#include "proxy/server/client_connections.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace strata::proxy {

std::shared_ptr<client_connections::ticket> client_connections::admit(closer close) {
    std::lock_guard lock(mutex_);
    if (draining_) {
        ++refused_;
        return nullptr;
    }
    while (entries_.size() >= cap_) {
        if (!close_longest_idle_locked()) {
            ++refused_;
            return nullptr;
        }
    }
    const auto id = next_id_++;
    entries_.emplace(id, entry{std::move(close), true, clock::now()});
    open_ = entries_.size();
    return std::shared_ptr<ticket>(new ticket{*this, id});
}

void client_connections::set_idle(ticket& t, bool idle) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(t.id);
    if (it == entries_.end()) return;
    it->second.idle = idle;
    if (idle) it->second.idle_since = clock::now();
}

void client_connections::drain() {
    std::lock_guard lock(mutex_);
    draining_ = true;
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (!it->second.idle) {
            ++it;
            continue;
        }
        it->second.close();
        it = entries_.erase(it);
    }
    open_ = entries_.size();
}

bool client_connections::close_longest_idle() {
    std::lock_guard lock(mutex_);
    return close_longest_idle_locked();
}

// The closed entry leaves the table at once, so the cap holds even before its session ends.
bool client_connections::close_longest_idle_locked() {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
        if (it->second.idle && (oldest == entries_.end() || it->second.idle_since < oldest->second.idle_since))
            oldest = it;
    if (oldest == entries_.end()) return false;
    oldest->second.close();
    entries_.erase(oldest);
    open_ = entries_.size();
    ++closed_for_room_;
    return true;
}

void client_connections::forget(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    entries_.erase(id);
    open_ = entries_.size();
}

std::uint64_t raise_fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    return limit.rlim_cur == RLIM_INFINITY ? (1u << 20) : static_cast<std::uint64_t>(limit.rlim_cur);
}

std::size_t derived_connection_cap(std::uint64_t fd_limit) {
    const std::uint64_t reserve = std::max<std::uint64_t>(128, fd_limit / 4);
    return fd_limit > reserve + 16 ? static_cast<std::size_t>(fd_limit - reserve) : 16;
}

}  // namespace strata::proxy

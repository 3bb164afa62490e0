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
    // The entry first, the ticket last: a ticket destroyed here (memory exhausted) would take
    // the lock this thread holds.
    const auto it = entries_.emplace(id, entry{std::move(close), nullptr}).first;
    std::shared_ptr<ticket> t;
    try {
        t = std::make_shared<ticket>(*this, id);
    } catch (...) {
        entries_.erase(it);
        throw;
    }
    it->second.state = t.get();
    open_ = entries_.size();
    return t;
}

void client_connections::set_idle(ticket& t, bool idle) {
    t.idle_since.store(idle ? clock::now().time_since_epoch().count() : ticket::busy, std::memory_order_relaxed);
}

void client_connections::drain() {
    std::lock_guard lock(mutex_);
    draining_ = true;
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.state->idle_since.load(std::memory_order_relaxed) == ticket::busy) {
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

// The closed entry leaves the table at once, so the cap holds even before its session ends. A
// connection that turns busy while it is picked is closed all the same, as it would be if its
// request came just after the close was posted.
bool client_connections::close_longest_idle_locked() {
    auto oldest = entries_.end();
    std::int64_t oldest_since = 0;
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        const auto since = it->second.state->idle_since.load(std::memory_order_relaxed);
        if (since != ticket::busy && (oldest == entries_.end() || since < oldest_since)) {
            oldest = it;
            oldest_since = since;
        }
    }
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

// connection_pool: idle keep-alive connections to upstream origins, bounded per origin.
#pragma once

#include "proxy/upstream/upstream_connection.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace strata::proxy {

// Thread-safe. A connection is in the pool only while no request uses it; one taken out
// belongs to the taker until it gives it back (only after a complete, keep-alive response).
class connection_pool {
public:
    connection_pool(std::size_t max_idle_per_origin, std::chrono::milliseconds max_idle_time)
        : max_idle_(max_idle_per_origin), max_idle_time_(max_idle_time) {}

    // The most recently returned live connection to origin, or nullptr.
    std::unique_ptr<upstream_connection> take(const std::string& origin);
    // Keeps conn for reuse unless the origin already has max_idle_per_origin idle ones.
    void give_back(const std::string& origin, std::unique_ptr<upstream_connection> conn);

private:
    using clock = std::chrono::steady_clock;
    struct idle {
        std::unique_ptr<upstream_connection> conn;
        clock::time_point since;
    };
    std::size_t max_idle_;
    std::chrono::milliseconds max_idle_time_;
    mutable std::mutex mutex_;
    std::map<std::string, std::vector<idle>> idle_;
};

}  // namespace strata::proxy

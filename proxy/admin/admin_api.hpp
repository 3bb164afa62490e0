// admin_api: the admin API's endpoints behind its guard, over the services each one uses.
#pragma once

#include "proxy/admin/admin_guard.hpp"
#include "proxy/admin/analytics_api.hpp"
#include "proxy/net.hpp"
#include "proxy/observe/event_recorder.hpp"
#include "proxy/observe/pull_stats.hpp"
#include "proxy/registry/prefetch.hpp"
#include "proxy/reply/reply.hpp"
#include "storage/eviction/cache_evictor.hpp"

#include <nlohmann/json.hpp>

#include <functional>

#include <string>
#include <string_view>
#include <vector>

namespace strata::proxy {

// Who sent an admin request, and its body (only POST /api/v1/events has one).
struct admin_caller {
    const std::string& address;
    bool loopback = false;
    std::string_view body = {};
};

// What a caller the guard turned away gets: 401 with a Bearer challenge, or 429 with Retry-After.
reply guard_refusal(admin_guard::verdict verdict);

// /api/v1/stats, events (export and import), prefetch, image, cache, pins and analytics. Every request passes the guard
// first (401 without the token, 429 after too many failures from one address).
struct admin_api {
    admin_guard& guard;
    pull_stats& stats;
    std::function<nlohmann::json()> upstream_states;  // in the stats (upstream_set::states)
    event_recorder& events;
    storage::event_log& event_log;  // where imported events go (POST /api/v1/events)
    const event_config& events_config;
    storage::metadata_index& index;
    storage::cache_evictor& evictor;
    asio::thread_pool& blocking;
    const std::vector<std::string>& configured_pins;
    analytics_sources analytics;
    prefetch_services prefetch;

    awaitable<reply> answer(const request& req, const admin_caller& caller) const;
};

}  // namespace strata::proxy

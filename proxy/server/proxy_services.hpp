// proxy_services: the store, index, event log, upstream clients and the services over them, owned in one place.
#pragma once

#include "analytics/analyses/pull_cost.hpp"
#include "proxy/observe/access_log.hpp"
#include "proxy/server/proxy_context.hpp"
#include "proxy/observe/access_recorder.hpp"
#include "proxy/admin/admin_guard.hpp"
#include "proxy/auth/pull_auth.hpp"
#include "proxy/registry/blob_fetcher.hpp"
#include "proxy/server/client_connections.hpp"
#include "proxy/config/config.hpp"
#include "proxy/observe/event_recorder.hpp"
#include "proxy/registry/manifest_service.hpp"
#include "proxy/registry/referrers_service.hpp"
#include "proxy/observe/metrics.hpp"
#include "proxy/net.hpp"
#include "proxy/observe/pull_stats.hpp"
#include "proxy/registry/repository_access.hpp"
#include "proxy/registry/tag_list.hpp"
#include "proxy/upstream/upstream_set.hpp"
#include "storage/blobs/blob_store.hpp"
#include "storage/blobs/store_lock.hpp"
#include "storage/eviction/cache_evictor.hpp"
#include "storage/eviction/cache_maintenance.hpp"
#include "storage/events/event_log.hpp"
#include "storage/index/metadata_index.hpp"
#include "storage/blobs/store_check.hpp"

#include <optional>

namespace strata::proxy {

// Owns the store, the index, the event log, the upstream clients and the services over
// them; the serve command builds it once and hands each endpoint group only the services it
// uses (proxy_context). Construction opens the data directory and throws if it cannot.
// Members are thread-safe.
// What a configuration names outside itself, read as strata serve reads it at start: the admin
// token (admin.token or the file admin.token_file names) and the price table. config_error
// naming the field when a file is missing or malformed.
std::string read_admin_token(const admin_config& admin);
std::optional<analytics::price_table> read_prices(const analytics_config& a);
// The pull users (pull_auth.users_file), or nullptr when anyone may pull.
std::unique_ptr<pull_auth> read_pull_auth(const config& cfg);

struct proxy_services {
    proxy_services(config c, asio::io_context& io);

    // What each in-memory cache holds and may hold, for /metrics.
    std::vector<metrics_sources::memory_use> memory_uses() const;

    // Expires unused tag mappings and manifests every interval (the first run at once).
    awaitable<void> run_metadata_gc(std::chrono::milliseconds interval);

    config cfg;
    std::string admin_token;  // from admin.token or admin.token_file
    admin_guard admin;        // checks admin requests against admin_token
    std::unique_ptr<pull_auth> pull_users;  // with pull_auth.users_file: who may pull what
    client_connections connections;  // capped by server.max_connections or the fd limit
    std::optional<analytics::price_table> prices;  // from analytics.prices_file
    metrics stats_metrics;
    asio::thread_pool blocking;
    storage::store_lock data_dir_lock;  // before the store is touched: one strata per data directory
    storage::blob_store blobs;
    storage::metadata_index index;
    storage::store_check_report startup_check;  // index and files reconciled before serving
    storage::cache_evictor evictor;
    storage::event_log events_log;
    event_recorder events;
    upstream_set upstreams;
    manifest_service manifests;
    tag_list_service tag_lists;
    referrers_service referrers;
    repository_access access;
    blob_fetcher fetcher;
    access_recorder accesses;
    access_log request_log;
    storage::cache_maintenance maintenance;  // eviction runs, room for a full disk, metadata expiry
    pull_stats stats;
};

// What the server hands each request: every endpoint group over only the services it uses.
proxy_context context_of(proxy_services& services);

}  // namespace strata::proxy

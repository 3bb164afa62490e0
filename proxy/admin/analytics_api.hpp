// analytics_api: GET /api/v1/analytics/<analysis> and /api/v1/analytics/report over strata's
// own store and pull event log.
#pragma once

#include "proxy/net.hpp"
#include "analytics/analyses/pull_cost.hpp"
#include "proxy/reply/reply.hpp"
#include "storage/blobs/blob_store.hpp"
#include "storage/events/event_log.hpp"
#include "storage/index/metadata_index.hpp"

#include <optional>

namespace strata::proxy {

// /api/v1/analytics lists the analyses; /api/v1/analytics/<name> runs one over the cached
// images and the event log (since=<unix seconds> bounds the log), with group_by=a,b, top=N,
// by=digest|content, cut=0..1 and format=json (default), csv or table; /report returns the
// HTML report. The work runs on the blocking pool. 400 for bad parameters, 404 for an
// unknown analysis. The caller has already checked the admin token.
// What the analyses read: the cached images, the pull event log and the prices.
struct analytics_sources {
    storage::metadata_index& index;
    const storage::blob_store& blobs;
    const storage::event_log& events_log;
    const std::optional<analytics::price_table>& prices;
    asio::thread_pool& blocking;
};

awaitable<reply> handle_analytics(const analytics_sources& sources, const request& req);

}  // namespace strata::proxy

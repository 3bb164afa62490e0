// analytics_api: GET /api/v1/analytics/<analysis> and /api/v1/analytics/report over strata's
// own store and pull event log.
#pragma once

#include "proxy/net.hpp"
#include "proxy/server/proxy_context.hpp"

namespace strata::proxy {

// /api/v1/analytics lists the analyses; /api/v1/analytics/<name> runs one over the cached
// images and the event log (since=<unix seconds> bounds the log), with group_by=a,b, top=N,
// by=digest|content, cut=0..1 and format=json (default), csv or table; /report returns the
// HTML report. The work runs on the blocking pool. 400 for bad parameters, 404 for an
// unknown analysis. The caller has already checked the admin token.
awaitable<bool> handle_analytics(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                                 storage::pull_event& ev);

}  // namespace strata::proxy

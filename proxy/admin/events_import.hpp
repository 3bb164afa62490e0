// events_import: POST /api/v1/events, pull events measured elsewhere (strata bench's trials) added to this strata's log.
#pragma once

#include "proxy/admin/event_lines.hpp"
#include "proxy/config/config.hpp"
#include "proxy/net.hpp"
#include "proxy/reply/reply.hpp"
#include "storage/events/event_log.hpp"

#include <string_view>

namespace strata::proxy {

// POST /api/v1/events: the body's events appended to the log in one write, all or none: events
// from events.retention_hours ago to an hour ahead. 200 with {"recorded": N}; 400 naming the line
// otherwise. (With events.enabled false, request_body refused the body before reading it.)
awaitable<reply> handle_events_import(storage::event_log& log, const event_config& cfg, asio::thread_pool& blocking,
                                      std::string_view body);

}  // namespace strata::proxy

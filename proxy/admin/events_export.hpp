// Exporting the pull event log as JSON lines or CSV: time arguments, formatting, the admin endpoint.
#pragma once

#include "proxy/net.hpp"
#include "proxy/observe/event_recorder.hpp"
#include "proxy/reply/reply.hpp"
#include "storage/events/event_log.hpp"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace strata::proxy {

enum class export_format { jsonl, csv };

// "jsonl" or "csv".
std::optional<export_format> parse_export_format(std::string_view s);

// A time argument as ns since the epoch: RFC 3339 ("2024-08-22T01:02:03Z"), seconds since
// the epoch ("1724288523"), or an age relative to now ("90s", "15m", "2h", "7d").
std::optional<std::int64_t> parse_time_arg(std::string_view s, std::int64_t now_ns);

// Writes the events in [since_ns, until_ns) to out, at most limit of them (0: no limit).
// Returns how many were written.
std::size_t write_events(const storage::event_log& log, std::int64_t since_ns, std::int64_t until_ns,
                         export_format format, std::size_t limit, std::ostream& out);

// GET /api/v1/events?since=&until=&format=jsonl|csv&limit=N (default limit 100000).
// What was served before the request is in the export (the recorder is drained first).
awaitable<reply> handle_events_export(event_recorder& recorder, const storage::event_log& log,
                                      asio::thread_pool& blocking, const request& req);

}  // namespace strata::proxy

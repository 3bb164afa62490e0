// log_format: strata's log lines as text or as one JSON object per line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::proxy {

// Sets the default logger's format: "text" ("[time] [level] message key=value ...") or
// "json" ({"time":"…","level":"…","message":"…"} per line, the message escaped as JSON, so a
// log shipper needs no parser of its own). Values from clients and upstreams are already escaped
// in the message (storage::log_value); JSON escaping comes on top.
void use_log_format(std::string_view format);

// "2026-11-27T03:21:30.123Z" for a time in nanoseconds since the epoch.
std::string utc_log_time(std::int64_t ns);

// The JSON object of one log line, its text as storage::append_json_text writes it: UTF-8
// kept, control characters as \uXXXX, and each byte of invalid UTF-8 as \ufffd.
std::string json_log_line(std::string_view time, std::string_view level, std::string_view message);

}  // namespace strata::proxy

// event_lines: pull events read back from JSON lines (what GET /api/v1/events writes), each field checked.
#pragma once

#include "storage/events/pull_event.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace strata::proxy {

// The most one import may carry: the body, and each text field of an event (a request header's
// limit, as for the events strata records itself).
inline constexpr std::size_t events_import_max_bytes = std::size_t{8} << 20;
inline constexpr std::size_t events_import_max_text = 16 * 1024;
// The most events one import may carry: each costs some hundred bytes in memory beyond its line.
inline constexpr std::size_t events_import_max_events = 16384;

// Why an import was refused: the line (1-based; 0 for the body as a whole) and what is wrong.
struct import_error {
    std::size_t line = 0;
    std::string message;
};

// The events of a body of JSON lines, each an object as GET /api/v1/events?format=jsonl writes
// one (to_json_line); empty lines are skipped. Every event must name a run in its labels
// ("run=…"), so imported events are never mistaken for what strata served itself. Refused whole
// at the first bad line: not JSON, a field of the wrong type, a negative or fractional number, an
// unknown field, a text over events_import_max_text, no ts_ns or kind, a ts_ns before oldest_ns
// (retention would delete it at once) or after newest_ns (retention would keep its block for
// ever), no run label, more than events_import_max_events, or no event at all. Never throws but
// std::bad_alloc.
std::variant<std::vector<storage::pull_event>, import_error> read_event_lines(
    std::string_view body, std::int64_t oldest_ns = 0, std::int64_t newest_ns = INT64_MAX);

}  // namespace strata::proxy

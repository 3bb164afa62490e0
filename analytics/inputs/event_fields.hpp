// event_fields: the few fields of a Kubernetes Event that pull analysis reads, taken from JSON
// text with simdjson (the text is validated whole; only the top two levels are walked).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace strata::analytics {

// String fields only: a field of another type reads as "". When a key repeats, the last wins.
struct event_fields {
    std::string reason, message, uid;                 // uid: metadata.uid
    std::string object_namespace, object_name, field_path;  // involvedObject.*
    std::string source_host, reporting_instance;
    std::string last_timestamp, event_time, first_timestamp;
};

// nullopt when text is not one JSON object: malformed, truncated, another kind of value, an
// integer beyond 64 bits, or nested deeper than 1024 levels (no stack is used for nesting).
// Thread-safe: each thread keeps its own parser, whose buffers follow the longest text it was
// given (the importer's line cap bounds that).
std::optional<event_fields> read_event_fields(std::string_view text);

// An EventList (`kubectl get events -o json`): calls item for each element of "items" (nullopt
// for an element that is not an object) and returns how many there were; nullopt when text is
// not an object with an "items" array.
std::optional<std::size_t> read_event_list(std::string_view text,
                                           const std::function<void(const std::optional<event_fields>&)>& item);

}  // namespace strata::analytics

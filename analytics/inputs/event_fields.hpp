// event_fields: the few fields of a Kubernetes Event that pull analysis reads, taken from JSON
// text by a SAX pass (no document is built: most of an event is skipped) or from a parsed value.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace strata::analytics {

// String fields only: a field of another type reads as "".
struct event_fields {
    std::string reason, message, uid;                 // uid: metadata.uid
    std::string object_namespace, object_name, field_path;  // involvedObject.*
    std::string source_host, reporting_instance;
    std::string last_timestamp, event_time, first_timestamp;
};

// nullopt when text is not one JSON object (malformed, truncated, another kind of value).
// The parser is iterative, so deep nesting cannot exhaust the stack.
std::optional<event_fields> read_event_fields(std::string_view text);

// The same fields from an already parsed event (an EventList's items).
event_fields event_fields_of(const nlohmann::json& event);

}  // namespace strata::analytics

// event_fields: simdjson's DOM parser (whole-text validation, then a walk of the top two
// levels), one parser per thread for lines.
#include "analytics/inputs/event_fields.hpp"

#include <simdjson.h>

namespace strata::analytics {
namespace {

using namespace simdjson;

// A string value, or "" for any other type.
std::string text_of(dom::element value) {
    std::string_view s;
    return value.get_string().get(s) == SUCCESS ? std::string(s) : std::string();
}

// Later duplicates win, as they did with the SAX picker.
void pick_nested(std::string_view outer, dom::object inner, event_fields& out) {
    for (const auto field : inner) {
        const auto k = field.key;
        if (outer == "metadata" && k == "uid") out.uid = text_of(field.value);
        else if (outer == "involvedObject" && k == "namespace") out.object_namespace = text_of(field.value);
        else if (outer == "involvedObject" && k == "name") out.object_name = text_of(field.value);
        else if (outer == "involvedObject" && k == "fieldPath") out.field_path = text_of(field.value);
        else if (outer == "source" && k == "host") out.source_host = text_of(field.value);
    }
}

event_fields fields_of(dom::object event) {
    event_fields out;
    for (const auto field : event) {
        const auto k = field.key;
        if (k == "reason") out.reason = text_of(field.value);
        else if (k == "message") out.message = text_of(field.value);
        else if (k == "reportingInstance") out.reporting_instance = text_of(field.value);
        else if (k == "lastTimestamp") out.last_timestamp = text_of(field.value);
        else if (k == "eventTime") out.event_time = text_of(field.value);
        else if (k == "firstTimestamp") out.first_timestamp = text_of(field.value);
        else if (dom::object inner; (k == "metadata" || k == "involvedObject" || k == "source") &&
                                    field.value.get_object().get(inner) == SUCCESS)
            pick_nested(k, inner, out);
    }
    return out;
}

}  // namespace

std::optional<event_fields> read_event_fields(std::string_view text) {
    // Event lines are small: one parser per thread serves them all. A line over 1 MiB gets a
    // parser of its own, freed after it, so no thread keeps what its largest line needed.
    constexpr std::size_t kept_line_bytes = std::size_t{1} << 20;
    thread_local dom::parser kept;
    std::optional<dom::parser> own;
    auto& parser = text.size() <= kept_line_bytes ? kept : own.emplace();
    dom::object event;
    if (parser.parse(text.data(), text.size()).get_object().get(event) != SUCCESS) return std::nullopt;
    return fields_of(event);
}

std::optional<std::size_t> read_event_list(std::string_view text,
                                           const std::function<void(const std::optional<event_fields>&)>& item) {
    dom::parser parser(text.size());  // not kept: an EventList may be large, and is read once
    dom::object doc;
    dom::array items;
    if (parser.parse(text.data(), text.size()).get_object().get(doc) != SUCCESS) return std::nullopt;
    if (doc["items"].get_array().get(items) != SUCCESS) return std::nullopt;
    std::size_t n = 0;
    for (const auto element : items) {
        dom::object event;
        item(element.get_object().get(event) == SUCCESS ? std::optional(fields_of(event)) : std::nullopt);
        ++n;
    }
    return n;
}

}  // namespace strata::analytics

// event_lines: each line parsed guarded (nlohmann, depth-limited), each field matched to pull_event's by name and type.
#include "proxy/admin/event_lines.hpp"

#include "analytics/inputs/json_input.hpp"
#include "storage/events/event_labels.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <limits>
#include <optional>
#include <utility>

namespace strata::proxy {
namespace {

using storage::pull_event;

constexpr std::pair<std::string_view, std::string pull_event::*> text_fields[] = {
    {"client", &pull_event::client},       {"node", &pull_event::node},
    {"user_agent", &pull_event::user_agent}, {"upstream", &pull_event::upstream},
    {"repository", &pull_event::repository}, {"reference", &pull_event::reference},
    {"digest", &pull_event::digest},       {"kind", &pull_event::kind},
    {"method", &pull_event::method},       {"media_type", &pull_event::media_type},
    {"range", &pull_event::range},         {"cache_status", &pull_event::cache_status},
    {"labels", &pull_event::labels},
};
constexpr std::pair<std::string_view, std::int64_t pull_event::*> time_fields[] = {
    {"ts_ns", &pull_event::ts_ns},
    {"duration_ns", &pull_event::duration_ns},
    {"ttfb_ns", &pull_event::ttfb_ns},
    {"upstream_ns", &pull_event::upstream_ns},
};
constexpr std::pair<std::string_view, std::uint64_t pull_event::*> size_fields[] = {
    {"bytes_sent", &pull_event::bytes_sent},
    {"object_size", &pull_event::object_size},
    {"upstream_bytes", &pull_event::upstream_bytes},
};

template <class Table>
auto member_of(const Table& table, std::string_view key) -> std::optional<std::remove_cvref_t<decltype(table[0].second)>> {
    for (const auto& [name, member] : table)
        if (name == key) return member;
    return std::nullopt;
}

// A non-negative integer no larger than max; nullopt otherwise.
std::optional<std::uint64_t> count_of(const nlohmann::json& v, std::uint64_t max) {
    if (!v.is_number_unsigned()) return std::nullopt;
    const auto n = v.get<std::uint64_t>();
    if (n > max) return std::nullopt;
    return n;
}

// One field into e; an error message when it is not one of pull_event's, or of the wrong type.
std::optional<std::string> read_field(const std::string& key, const nlohmann::json& v, pull_event& e) {
    if (const auto text = member_of(text_fields, key)) {
        if (!v.is_string()) return "'" + key + "' must be a string";
        const auto& s = v.get_ref<const std::string&>();
        if (s.size() > events_import_max_text)
            return "'" + key + "' is longer than " + std::to_string(events_import_max_text) + " bytes";
        e.*(*text) = s;
        return std::nullopt;
    }
    if (const auto time = member_of(time_fields, key)) {
        const auto n = count_of(v, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
        if (!n) return "'" + key + "' must be a whole number of nanoseconds, 0 or more";
        e.*(*time) = static_cast<std::int64_t>(*n);
        return std::nullopt;
    }
    if (const auto size = member_of(size_fields, key)) {
        const auto n = count_of(v, std::numeric_limits<std::uint64_t>::max());
        if (!n) return "'" + key + "' must be a whole number of bytes, 0 or more";
        e.*(*size) = *n;
        return std::nullopt;
    }
    if (key == "http_status") {
        const auto n = count_of(v, 999);
        if (!n) return std::string("'http_status' must be a status code from 0 to 999");
        e.http_status = static_cast<unsigned>(*n);
        return std::nullopt;
    }
    return "unknown field " + storage::log_value(key.substr(0, 64));
}

std::variant<pull_event, std::string> read_event(std::string_view line, std::int64_t oldest_ns, std::int64_t newest_ns) {
    const auto doc = analytics::parse_json_guarded(line);
    if (doc.is_discarded()) return std::string("not JSON (malformed, nested too deeply, or text that is not UTF-8)");
    if (!doc.is_object()) return std::string("not a JSON object");
    pull_event e;
    for (const auto& [key, value] : doc.items())
        if (auto bad = read_field(key, value, e)) return std::move(*bad);
    if (e.ts_ns == 0) return std::string("'ts_ns' is missing");
    if (e.ts_ns < oldest_ns) return std::string("'ts_ns' is older than this strata keeps events (events.retention_hours)");
    if (e.ts_ns > newest_ns) return std::string("'ts_ns' is in the future");
    if (e.kind.empty()) return std::string("'kind' is missing");
    const auto run = storage::find_event_label(e.labels, "run");
    if (!run || run->empty())
        return std::string("'labels' must name a run (run=…): strata records what it serves itself");
    return e;
}

}  // namespace

std::variant<std::vector<pull_event>, import_error> read_event_lines(std::string_view body, std::int64_t oldest_ns,
                                                                    std::int64_t newest_ns) {
    if (body.size() > events_import_max_bytes)
        return import_error{0, "more than " + std::to_string(events_import_max_bytes >> 20) + " MiB of events"};
    std::vector<pull_event> events;
    std::size_t number = 0;
    while (!body.empty()) {
        const auto end = body.find('\n');
        auto line = body.substr(0, end);
        body.remove_prefix(end == std::string_view::npos ? body.size() : end + 1);
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        if (events.size() == events_import_max_events)
            return import_error{number, "more than " + std::to_string(events_import_max_events) + " events in one import"};
        auto read = read_event(line, oldest_ns, newest_ns);
        if (auto* why = std::get_if<std::string>(&read)) return import_error{number, std::move(*why)};
        events.push_back(std::move(std::get<pull_event>(read)));
    }
    if (events.empty()) return import_error{0, "no events: send JSON lines as GET /api/v1/events?format=jsonl writes them"};
    return events;
}

}  // namespace strata::proxy

// pull_event encodings: JSON lines for storage and export, CSV for spreadsheets.
#include "storage/pull_event.hpp"

#include <nlohmann/json.hpp>

namespace strata::storage {
namespace {

using json = nlohmann::json;

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

}  // namespace

std::string to_json_line(const pull_event& e) {
    return json{{"ts_ns", e.ts_ns},           {"client", e.client},
                {"node", e.node},             {"upstream", e.upstream},
                {"repository", e.repository}, {"reference", e.reference},
                {"digest", e.digest},         {"kind", e.kind},
                {"method", e.method},         {"media_type", e.media_type},
                {"bytes_sent", e.bytes_sent}, {"object_size", e.object_size},
                {"range", e.range},           {"cache_status", e.cache_status},
                {"http_status", e.http_status}, {"duration_ns", e.duration_ns},
                {"ttfb_ns", e.ttfb_ns},       {"upstream_ns", e.upstream_ns},
                {"upstream_bytes", e.upstream_bytes}}
        .dump(-1, ' ', false, json::error_handler_t::replace);
}

result<pull_event> parse_json_line(std::string_view line) {
    const auto j = json::parse(line, nullptr, false);
    if (!j.is_object()) return errc::storage_failed;
    try {
        pull_event e;
        e.ts_ns = j.at("ts_ns").get<std::int64_t>();
        e.client = j.at("client").get<std::string>();
        e.node = j.at("node").get<std::string>();
        e.upstream = j.at("upstream").get<std::string>();
        e.repository = j.at("repository").get<std::string>();
        e.reference = j.at("reference").get<std::string>();
        e.digest = j.at("digest").get<std::string>();
        e.kind = j.at("kind").get<std::string>();
        e.method = j.at("method").get<std::string>();
        e.media_type = j.at("media_type").get<std::string>();
        e.bytes_sent = j.at("bytes_sent").get<std::uint64_t>();
        e.object_size = j.at("object_size").get<std::uint64_t>();
        e.range = j.at("range").get<std::string>();
        e.cache_status = j.at("cache_status").get<std::string>();
        e.http_status = j.at("http_status").get<unsigned>();
        e.duration_ns = j.at("duration_ns").get<std::int64_t>();
        e.ttfb_ns = j.at("ttfb_ns").get<std::int64_t>();
        e.upstream_ns = j.at("upstream_ns").get<std::int64_t>();
        e.upstream_bytes = j.at("upstream_bytes").get<std::uint64_t>();
        return e;
    } catch (const json::exception&) {
        return errc::storage_failed;
    }
}

std::string csv_header() {
    return "ts_ns,client,node,upstream,repository,reference,digest,kind,method,media_type,bytes_sent,object_size,"
           "range,cache_status,http_status,duration_ns,ttfb_ns,upstream_ns,upstream_bytes";
}

std::string to_csv_row(const pull_event& e) {
    std::string row = std::to_string(e.ts_ns);
    const auto text = [&row](const std::string& s) { row.append(1, ',').append(csv_field(s)); };
    const auto number = [&row](auto n) { row.append(1, ',').append(std::to_string(n)); };
    for (const auto* s : {&e.client, &e.node, &e.upstream, &e.repository, &e.reference, &e.digest, &e.kind, &e.method,
                          &e.media_type})
        text(*s);
    number(e.bytes_sent);
    number(e.object_size);
    text(e.range);
    text(e.cache_status);
    number(e.http_status);
    number(e.duration_ns);
    number(e.ttfb_ns);
    number(e.upstream_ns);
    number(e.upstream_bytes);
    return row;
}

}  // namespace strata::storage

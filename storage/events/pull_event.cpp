// pull_event encodings for export: JSON lines, and CSV for spreadsheets.
#include "storage/events/pull_event.hpp"

#include "storage/untrusted/text_escape.hpp"

namespace strata::storage {

// Hand-written: exports write one per event, and the escaping must survive hostile bytes.
std::string to_json_line(const pull_event& e) {
    std::string out;
    out.reserve(512);
    bool first = true;
    const auto key = [&](const char* k) {
        out += first ? "{\"" : ",\"";
        first = false;
        out += k;
        out += "\":";
    };
    const auto text = [&](const char* k, const std::string& v) {
        key(k);
        out += '"';
        append_json_text(out, v);  // hostile bytes can make neither a line nor a reader break
        out += '"';
    };
    const auto number = [&](const char* k, auto v) {
        key(k);
        out += std::to_string(v);
    };
    number("ts_ns", e.ts_ns);
    text("client", e.client);
    text("node", e.node);
    text("upstream", e.upstream);
    text("repository", e.repository);
    text("reference", e.reference);
    text("digest", e.digest);
    text("kind", e.kind);
    text("method", e.method);
    text("media_type", e.media_type);
    number("bytes_sent", e.bytes_sent);
    number("object_size", e.object_size);
    text("range", e.range);
    text("cache_status", e.cache_status);
    number("http_status", e.http_status);
    number("duration_ns", e.duration_ns);
    number("ttfb_ns", e.ttfb_ns);
    number("upstream_ns", e.upstream_ns);
    number("upstream_bytes", e.upstream_bytes);
    text("user_agent", e.user_agent);
    if (!e.labels.empty()) text("labels", e.labels);
    out += '}';
    return out;
}

std::string csv_header() {
    return "ts_ns,client,node,upstream,repository,reference,digest,kind,method,media_type,bytes_sent,object_size,"
           "range,cache_status,http_status,duration_ns,ttfb_ns,upstream_ns,upstream_bytes,user_agent,labels";
}

std::string to_csv_row(const pull_event& e) {
    std::string row = std::to_string(e.ts_ns);
    const auto text = [&row](const std::string& s) { row.append(1, ',').append(csv_cell(s)); };
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
    text(e.user_agent);
    text(e.labels);
    return row;
}

}  // namespace strata::storage

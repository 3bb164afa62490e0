// pull_event_record: varint and length-prefixed encoding of pull events, and its strict decoder.
#include "storage/events/pull_event_record.hpp"

#include "storage/events/varint.hpp"

#include <algorithm>

namespace strata::storage {
namespace {

constexpr char record_version = 1;

}  // namespace

// Writes into room reserved once for the largest possible record: this runs on the request
// path for every served request.
void append_record(std::string& out, const pull_event& e) {
    const std::string* const leading_texts[] = {&e.client, &e.node, &e.upstream, &e.repository, &e.reference,
                                                &e.digest, &e.kind, &e.method,   &e.media_type};
    constexpr std::size_t fields = 19;
    std::size_t bound = 1 + fields * max_varint_bytes + e.range.size() + e.cache_status.size();
    for (const auto* t : leading_texts) bound += t->size();
    const auto start = out.size();
    out.resize(start + bound);
    char* p = out.data() + start;
    const auto text = [&p](const std::string& s) {
        p = write_varint(p, s.size());
        p = std::copy(s.begin(), s.end(), p);
    };
    *p++ = record_version;
    p = write_varint(p, zigzag(e.ts_ns));
    for (const auto* t : leading_texts) text(*t);
    p = write_varint(p, e.bytes_sent);
    p = write_varint(p, e.object_size);
    text(e.range);
    text(e.cache_status);
    p = write_varint(p, e.http_status);
    p = write_varint(p, zigzag(e.duration_ns));
    p = write_varint(p, zigzag(e.ttfb_ns));
    p = write_varint(p, zigzag(e.upstream_ns));
    p = write_varint(p, e.upstream_bytes);
    out.resize(static_cast<std::size_t>(p - out.data()));
}

result<pull_event> parse_record(std::string_view bytes) {
    if (bytes.empty() || bytes.front() != record_version) return errc::storage_failed;
    varint_reader r(bytes.substr(1));
    pull_event e;
    e.ts_ns = r.signed_varint();
    e.client = r.text();
    e.node = r.text();
    e.upstream = r.text();
    e.repository = r.text();
    e.reference = r.text();
    e.digest = r.text();
    e.kind = r.text();
    e.method = r.text();
    e.media_type = r.text();
    e.bytes_sent = r.varint();
    e.object_size = r.varint();
    e.range = r.text();
    e.cache_status = r.text();
    e.http_status = r.unsigned_as<unsigned>();
    e.duration_ns = r.signed_varint();
    e.ttfb_ns = r.signed_varint();
    e.upstream_ns = r.signed_varint();
    e.upstream_bytes = r.varint();
    if (!r.ok() || !r.at_end()) return errc::storage_failed;
    return e;
}

}  // namespace strata::storage

// fuzz_event_lines: the events import's JSON lines (proxy/admin/event_lines read_event_lines), read
// whole or refused whole. What is read is bounded as promised, and written back by the export it
// reads the same events.
#include "proxy/admin/event_lines.hpp"
#include "storage/events/event_labels.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <algorithm>
#include <string>
#include <variant>

using namespace strata;
using namespace strata::proxy;

namespace {

bool ascii(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool all_ascii(const storage::pull_event& e) {
    for (const auto* s : {&e.client, &e.node, &e.user_agent, &e.upstream, &e.repository, &e.reference, &e.digest, &e.kind,
                          &e.method, &e.media_type, &e.range, &e.cache_status, &e.labels})
        if (!ascii(*s)) return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto body = fuzz::as_text(data, size);
    auto read = read_event_lines(body, /*oldest_ns=*/1000);
    if (const auto* bad = std::get_if<import_error>(&read)) {
        FUZZ_CHECK(!bad->message.empty());
        FUZZ_CHECK(bad->line <= static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n')) + 1);
        return 0;
    }
    const auto& events = std::get<std::vector<storage::pull_event>>(read);
    FUZZ_CHECK(!events.empty());
    std::string exported;
    for (const auto& e : events) {
        FUZZ_CHECK(e.ts_ns >= 1000 && !e.kind.empty());
        const auto run = storage::find_event_label(e.labels, "run");
        FUZZ_CHECK(run && !run->empty());
        for (const auto* text : {&e.node, &e.repository, &e.labels}) FUZZ_CHECK(text->size() <= events_import_max_text);
        exported += storage::to_json_line(e) + "\n";
    }
    // The export escapes each byte over 0x7f as \u00XX, which reads back as that code point in
    // UTF-8: only events of ASCII text must come back identical.
    if (std::all_of(events.begin(), events.end(), all_ascii)) {
        auto again = read_event_lines(exported, 1000);
        FUZZ_CHECK(std::holds_alternative<std::vector<storage::pull_event>>(again));
        FUZZ_CHECK(std::get<std::vector<storage::pull_event>>(again) == events);
    }
    return 0;
}

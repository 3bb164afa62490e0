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
    // What the import read is well-formed UTF-8, which the export writes unchanged: it reads back
    // as the same events.
    auto again = read_event_lines(exported, 1000);
    FUZZ_CHECK(std::holds_alternative<std::vector<storage::pull_event>>(again));
    FUZZ_CHECK(std::get<std::vector<storage::pull_event>>(again) == events);
    return 0;
}

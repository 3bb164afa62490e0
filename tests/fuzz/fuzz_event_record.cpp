// fuzz_event_record: the event log's binary values (storage/events/pull_event_record parse_record,
// storage/events/event_block parse_event_block and its header). Version bytes 1 and 3 are records,
// 2 a block and 4 a compressed block, so one input exercises whichever its first byte names. A
// record's labels are read as pairs (storage/events/event_labels), and its export line as JSON.
#include "storage/events/event_block.hpp"
#include "storage/events/event_labels.hpp"
#include "storage/events/pull_event.hpp"
#include "storage/events/pull_event_record.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/shown_text.hpp"

#include <nlohmann/json.hpp>

using namespace strata;
using namespace strata::storage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto bytes = fuzz::as_text(data, size);

    if (auto e = parse_record(bytes)) {
        // What decodes re-encodes to a record that decodes to the same event (the input itself
        // may differ: a varint has more than one encoding). Never longer, except that a version 1
        // record gains the flags byte and a code byte before each of four words it keeps as text.
        std::string encoded;
        append_record(encoded, *e);
        const std::size_t version_1_growth = bytes.front() == 1 ? 5 : 0;
        FUZZ_CHECK(encoded.size() <= bytes.size() + version_1_growth);
        auto again = parse_record(encoded);
        FUZZ_CHECK(again && *again == *e);
        // Its labels read as pairs, each of which a lookup by key finds.
        for (const auto& [key, value] : parse_event_labels(e->labels)) FUZZ_CHECK(find_event_label(e->labels, key) == value);
        // Whatever bytes its text holds, its export line is one JSON object a strict parser reads,
        // with no control character to obey on a terminal.
        const auto line = to_json_line(*e);
        FUZZ_CHECK(nlohmann::json::accept(line) && fuzz::shows_safely(line));
    } else {
        FUZZ_CHECK(e.error() == errc::storage_failed);
    }

    auto header = parse_event_block_header(bytes);
    std::size_t corrupt = 0;
    auto events = parse_event_block(bytes, &corrupt);
    FUZZ_CHECK(header.has_value() == events.has_value());
    if (!events) return 0;
    FUZZ_CHECK(header->min_ts <= header->max_ts);
    // A compressed block's records may be up to 255 times its size (LZ4's greatest expansion).
    const std::size_t records_bound = bytes.front() == 4 ? bytes.size() * 255 : bytes.size();
    FUZZ_CHECK(header->count <= records_bound);
    FUZZ_CHECK(events->size() + corrupt >= header->count);
    FUZZ_CHECK(events->size() <= records_bound);

    // The decoded events rebuilt into a block decode to the same events, none corrupt. (The log
    // never stores an empty block, whose header would have no time span.)
    if (events->empty()) return 0;
    event_block_builder builder;
    for (const auto& e : *events) builder.add(e);
    const auto rebuilt = builder.finish();
    std::size_t rebuilt_corrupt = 0;
    auto again = parse_event_block(rebuilt, &rebuilt_corrupt);
    FUZZ_CHECK(again && *again == *events && rebuilt_corrupt == 0);
    return 0;
}

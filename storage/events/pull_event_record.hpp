// pull_event_record: the compact binary form of a pull event as the event log stores it.
#pragma once

#include "storage/oci/error.hpp"
#include "storage/events/pull_event.hpp"

#include <string>
#include <string_view>

namespace strata::storage {

// A version byte, then every field in declaration order: integers as LEB128 varints (signed
// ones zigzagged), strings as a varint length and the bytes. About a third of the JSON line's
// size and several times cheaper to produce; the event log writes one per served request.
// Appends to out so a caller can reuse one buffer.
void append_record(std::string& out, const pull_event& e);

// Decodes append_record's output. Truncated, over-long or trailing bytes and unknown versions
// are errc::storage_failed; never reads past the input.
result<pull_event> parse_record(std::string_view bytes);

}  // namespace strata::storage

// pull_event_record: the compact binary form of a pull event as the event log stores it.
#pragma once

#include "storage/oci/error.hpp"
#include "storage/events/pull_event.hpp"

#include <string>
#include <string_view>

namespace strata::storage {

// A version byte (3), flags, then the fields in declaration order, except the User-Agent and the labels: last,
// and only when there are some (a flag says so; records written before them have none). Integers as
// LEB128 varints (signed ones zigzagged), strings as a varint length and the bytes. What most events repeat is
// shortened: the reference when it is the digest and the node when it is the client are left
// out, a sha256 or sha512 digest is its 32 or 64 bytes, and the kind, method, media type and cache status are a
// one-byte code when they are one of the usual words. About 110 bytes for a pull by digest
// without a User-Agent, containerd's adding some 25 (version 1, which wrote every field as
// text, took about 270); the event log writes one per served request. Appends to out so a caller can reuse one buffer.
void append_record(std::string& out, const pull_event& e);

// Decodes append_record's output, and the version 1 records of older stores. Truncated,
// over-long or trailing bytes, unknown versions, flags and word codes are
// errc::storage_failed; never reads past the input.
result<pull_event> parse_record(std::string_view bytes);

}  // namespace strata::storage

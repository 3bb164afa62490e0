// Byte ranges of the Range request header (RFC 9110 14.1-14.2) and multipart/byteranges framing
// (RFC 9110 14.6), sans I/O.
#pragma once

#include "storage/oci/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::proxy {

// An inclusive byte range [first, last] within a blob.
struct byte_range {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::uint64_t length() const noexcept { return last - first + 1; }
    friend bool operator==(const byte_range&, const byte_range&) = default;
};

// One range as a client wrote it, before the blob's size is known: "first-last", "first-" or
// "-suffix".
struct range_spec {
    std::optional<std::uint64_t> first;  // absent: a suffix range
    std::optional<std::uint64_t> last;   // absent: to the end
    std::uint64_t suffix = 0;            // the last `suffix` bytes, when first is absent

    // "bytes=..." for one upstream request, written from the numbers (never the client's text).
    std::string header_value() const;
};

// The most ranges one request may ask for; more are refused (errc::ranges_refused). A
// zstd:chunked pull asks for one range per missing file chunk, after containers/storage has
// merged neighbours: hundreds in one request are ordinary.
inline constexpr std::size_t max_ranges = 1024;

// Reads "bytes=<spec>[, <spec>]..." (optional whitespace around commas). nullopt when it is not
// a byte-range set strata reads: no header, another unit, bad syntax, "last" before "first", or
// more than max_ranges * 4 entries (RFC 9110 lets a server ignore such a header).
std::optional<std::vector<range_spec>> parse_range_header(std::string_view header);

// Resolves a Range header against a blob of the given size.
//  - empty: serve the whole blob (parse_range_header said ignore it);
//  - errc::range_unsatisfiable: no range in it lies within the blob (ranges that do not are
//    dropped when others do);
//  - errc::ranges_refused: more than max_ranges satisfiable ranges, or ranges that overlap
//    (RFC 9110 14.2 lets a server reject both; strata answers 416 saying which);
//  - else the ranges, clamped to the blob, in the order asked.
result<std::vector<byte_range>> resolve_ranges(std::string_view header, std::uint64_t size);

// The same for ranges already parsed (parse_range_header), never empty in, never empty out.
result<std::vector<byte_range>> resolve_specs(const std::vector<range_spec>& specs, std::uint64_t size);

// A Content-Range value of a 206 answer, "bytes first-last/complete", read strictly: the range
// and the complete length (nullopt for "*" or anything malformed, or last >= complete).
struct content_range {
    byte_range range;
    std::uint64_t complete = 0;
};
std::optional<content_range> parse_content_range(std::string_view value);

// Consecutive ranges of a request fetched from the upstream as one: the span they lie in and
// the index past the last of them. Ranges join a span while each starts after the previous
// ends, at most max_gap bytes later (the gap is read and dropped: cheaper than a round trip).
struct range_span {
    byte_range covering;
    std::size_t end = 0;  // ranges [previous span's end, end) lie in this one, in the order asked
};
std::vector<range_span> plan_spans(const std::vector<byte_range>& ranges, std::uint64_t max_gap);

// A Range header as the pull event records it: whole up to 256 bytes; longer (a zstd:chunked
// request of hundreds of ranges), its first ranges, cut at a comma, then ",… (N ranges)". Into
// out, whose capacity is reused.
void assign_range_for_record(std::string& out, std::string_view header);

// The most upstream requests one client request may cause.
inline constexpr std::size_t max_upstream_spans = 16;

// plan_spans, then, while there are more than max_upstream_spans, the two neighbouring spans
// with the smallest gap between them (the later one starting after the earlier) joined, the gap
// read and dropped: at worst the blob is read once. errc::ranges_refused when ranges out of
// order leave more than max_upstream_spans spans (a Range header must not cost the upstream
// more than 16 requests).
result<std::vector<range_span>> plan_upstream_spans(const std::vector<byte_range>& ranges, std::uint64_t max_gap);

// The body of a multipart/byteranges answer, around the bytes of each range: what to write
// before each part, what to write at the end, and the body's whole length.
struct multipart_plan {
    std::string content_type;             // "multipart/byteranges; boundary=..."
    std::vector<std::string> part_heads;  // one per range: delimiter, Content-Type, Content-Range
    std::string closing;                  // the close delimiter
    std::uint64_t content_length = 0;     // heads + parts + closing
};
// A boundary for one body: "strata" and 16 random hex digits (RFC 2046 allows 70 characters).
std::string multipart_boundary();
// boundary: 1 to 70 characters of [0-9A-Za-z] (RFC 2046), chosen by the caller.
multipart_plan plan_multipart(const std::vector<byte_range>& ranges, std::uint64_t size, std::string_view part_type,
                              std::string_view boundary);

}  // namespace strata::proxy

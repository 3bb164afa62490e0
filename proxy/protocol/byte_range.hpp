// Parsing of the Range request header for blob downloads.
#pragma once

#include "storage/oci/error.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace strata::proxy {

// An inclusive byte range [first, last] within a blob.
struct byte_range {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::uint64_t length() const noexcept { return last - first + 1; }
};

// Resolves a Range header against a blob of the given size.
//  - nullopt: serve the whole blob (no header, another unit, several ranges, or bad syntax,
//    all of which RFC 9110 lets a server ignore);
//  - errc::range_unsatisfiable: "bytes=N-" or "bytes=N-M" with N >= size, or a zero suffix;
//  - a range: "bytes=N-", "bytes=N-M" (M clamped to size-1) or "bytes=-S" (last S bytes).
result<std::optional<byte_range>> resolve_range(std::string_view header, std::uint64_t size);

}  // namespace strata::proxy

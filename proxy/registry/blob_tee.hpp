// blob_tee: the checks every downloaded blob passes on its way to disk, fed chunk by chunk.
#pragma once

#include "storage/oci/digest.hpp"
#include "storage/oci/error.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace strata::proxy {

// Sans-I/O: the download feeds each chunk here before writing it, and asks at the end of the
// body whether the blob may be kept. A chunk that would take the blob past `limit` (the smaller
// of storage.max_blob_bytes and the size its descriptor gives) is refused before it is written;
// a body shorter than its announced length, or whose bytes do not hash to the digest, is refused
// at the end. Not thread-safe; one per download.
class blob_tee {
public:
    blob_tee(storage::digest expected, std::optional<std::uint64_t> announced, std::uint64_t limit);

    // errc::ok and the chunk counted and hashed, or errc::blob_too_large and nothing taken.
    errc feed(const void* data, std::size_t size);
    // At the end of the body: errc::ok, upstream_truncated (fewer bytes than announced) or
    // digest_mismatch. Call once, after the last feed.
    errc finish();

    std::uint64_t taken() const noexcept { return taken_; }
    std::uint64_t limit() const noexcept { return limit_; }

private:
    storage::digest expected_;
    std::optional<std::uint64_t> announced_;
    std::uint64_t limit_;
    std::uint64_t taken_ = 0;
    storage::digest_hasher hasher_;
};

}  // namespace strata::proxy

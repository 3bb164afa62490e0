// blob_tee: a running length and hash (in the expected digest's algorithm), compared with what the blob must be.
#include "proxy/registry/blob_tee.hpp"

namespace strata::proxy {

blob_tee::blob_tee(storage::digest expected, std::optional<std::uint64_t> announced, std::uint64_t limit)
    : expected_(std::move(expected)), announced_(announced), limit_(limit), hasher_(expected_.algorithm()) {}

errc blob_tee::feed(const void* data, std::size_t size) {
    if (size > limit_ - taken_) return errc::blob_too_large;
    hasher_.update(data, size);
    taken_ += size;
    return errc::ok;
}

errc blob_tee::finish() {
    if (announced_ && taken_ != *announced_) return errc::upstream_truncated;
    if (hasher_.finish() != expected_) return errc::digest_mismatch;
    return errc::ok;
}

}  // namespace strata::proxy

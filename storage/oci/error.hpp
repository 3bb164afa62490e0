// strata::errc: the domain failures every layer reports, and their error category.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace strata {

// Expected, input- or peer-dependent failures. Infrastructure failures throw instead.
enum class errc {
    ok = 0,
    name_invalid,          // repository name breaks the distribution grammar
    tag_invalid,           // tag breaks the distribution grammar
    digest_invalid,        // malformed digest
    digest_unsupported,    // well-formed digest with an algorithm strata does not verify
    range_unsatisfiable,   // Range start lies beyond the blob
    upstream_unknown,      // request names an upstream that is not configured
    name_unknown,          // upstream does not know the repository
    manifest_unknown,      // upstream (or cache, offline) does not have the manifest
    blob_unknown,          // upstream (or cache, offline) does not have the blob
    manifest_invalid,      // manifest body is not an acceptable manifest
    manifest_too_large,    // manifest larger than the configured limit
    upstream_denied,       // upstream refused our credentials
    upstream_unavailable,  // upstream unreachable, timed out or answered 5xx
    upstream_protocol,     // upstream answered something no registry should
    too_many_requests,     // upstream throttled us and retries ran out
    digest_mismatch,       // bytes did not hash to the requested digest
    upstream_truncated,    // upstream body ended early
    storage_failed,        // local disk refused a write
    storage_full,          // local disk is out of space (ENOSPC, EDQUOT)
    offline,               // offline mode and the object is not cached
    blob_too_large,        // upstream announced more bytes than the descriptor or storage.max_blob_bytes allow
    upstream_down,         // upstream failed repeatedly and is not asked again until its backoff passes
    ranges_refused,        // more ranges than strata serves in one request, or ranges that overlap
};

const boost::system::error_category& strata_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), strata_category()};
}

template <class T>
using result = boost::system::result<T>;

// The errc inside an error_code produced from one; errc::storage_failed for foreign codes.
inline errc to_errc(const boost::system::error_code& ec) noexcept {
    if (!ec) return errc::ok;
    return &ec.category() == &strata_category() ? static_cast<errc>(ec.value()) : errc::storage_failed;
}

}  // namespace strata

template <>
struct boost::system::is_error_code_enum<strata::errc> : std::true_type {};

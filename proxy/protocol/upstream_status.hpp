// Maps an upstream registry's HTTP answer onto strata::errc.
#pragma once

#include "storage/oci/error.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace strata::proxy {

enum class object_kind { manifest, blob, tags };

// The error a non-2xx upstream status means for an object of the given kind. For 404 the
// upstream's OCI error body decides between NAME_UNKNOWN and MANIFEST/BLOB_UNKNOWN.
errc upstream_failure(unsigned status, std::string_view body, object_kind kind);

// True for the failures that let a cached answer (a tag mapping, a referrers list) be served
// stale instead of failing the pull: the upstream unreachable, down, cut off, or out of quota.
bool serves_stale(errc e) noexcept;

// A Content-Length value as a number: 1 to 19 decimal digits and nothing else (no sign, no
// spaces, no list); nullopt otherwise. Upstream bytes reach a client's header only through this.
std::optional<std::uint64_t> parse_content_length(std::string_view value) noexcept;

}  // namespace strata::proxy

// Maps an upstream registry's HTTP answer onto strata::errc.
#pragma once

#include "storage/error.hpp"

#include <string_view>

namespace strata::proxy {

enum class object_kind { manifest, blob, tags };

// The error a non-2xx upstream status means for an object of the given kind. For 404 the
// upstream's OCI error body decides between NAME_UNKNOWN and MANIFEST/BLOB_UNKNOWN.
errc upstream_failure(unsigned status, std::string_view body, object_kind kind);

}  // namespace strata::proxy

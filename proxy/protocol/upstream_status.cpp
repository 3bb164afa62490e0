// upstream_failure: one place that decides what an upstream's error status means to a client.
#include "proxy/protocol/upstream_status.hpp"

namespace strata::proxy {

errc upstream_failure(unsigned status, std::string_view body, object_kind kind) {
    if (status == 404) {
        if (body.find("\"NAME_UNKNOWN\"") != std::string_view::npos) return errc::name_unknown;
        switch (kind) {
        case object_kind::manifest: return errc::manifest_unknown;
        case object_kind::blob: return errc::blob_unknown;
        case object_kind::tags: return errc::name_unknown;
        }
    }
    if (status == 401 || status == 403) return errc::upstream_denied;
    if (status == 429) return errc::too_many_requests;
    if (status >= 500) return errc::upstream_unavailable;
    return errc::upstream_protocol;
}

bool serves_stale(errc e) noexcept {
    return e == errc::upstream_unavailable || e == errc::upstream_truncated || e == errc::too_many_requests ||
           e == errc::upstream_down;
}

std::optional<std::uint64_t> parse_content_length(std::string_view value) noexcept {
    if (value.empty() || value.size() > 19) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : value) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n;
}

}  // namespace strata::proxy

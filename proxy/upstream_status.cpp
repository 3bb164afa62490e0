// upstream_failure: one place that decides what an upstream's error status means to a client.
#include "proxy/upstream_status.hpp"

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

}  // namespace strata::proxy

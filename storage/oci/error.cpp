// The strata error category: human-readable messages for strata::errc.
#include "storage/oci/error.hpp"

namespace strata {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "strata"; }

    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::ok: return "success";
        case errc::name_invalid: return "invalid repository name";
        case errc::tag_invalid: return "invalid tag";
        case errc::digest_invalid: return "invalid digest";
        case errc::digest_unsupported: return "unsupported digest algorithm";
        case errc::range_unsatisfiable: return "requested range not satisfiable";
        case errc::upstream_unknown: return "upstream is not configured";
        case errc::name_unknown: return "repository name not known to registry";
        case errc::manifest_unknown: return "manifest unknown";
        case errc::blob_unknown: return "blob unknown to registry";
        case errc::manifest_invalid: return "manifest invalid";
        case errc::manifest_too_large: return "manifest exceeds the size limit";
        case errc::upstream_denied: return "upstream denied access";
        case errc::upstream_unavailable: return "upstream unavailable";
        case errc::upstream_protocol: return "upstream sent an invalid response";
        case errc::too_many_requests: return "upstream rate limit exceeded";
        case errc::digest_mismatch: return "content does not match digest";
        case errc::upstream_truncated: return "upstream body ended early";
        case errc::storage_failed: return "local storage failed";
        case errc::storage_full: return "local disk is full";
        case errc::offline: return "not cached and strata is offline";
        case errc::blob_too_large: return "upstream announced a blob larger than its descriptor or storage.max_blob_bytes";
        case errc::upstream_down: return "upstream is down";
        case errc::ranges_refused: return "more than 16 ranges, or ranges that overlap";
        }
        return "unknown strata error";
    }
};

}  // namespace

const boost::system::error_category& strata_category() noexcept {
    static const category instance;
    return instance;
}

}  // namespace strata

// fuzz_manifest: manifest and index bodies (storage/oci/manifest parse_manifest), as served with each media type.
#include "storage/oci/manifest.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace strata;
using namespace strata::storage;

namespace {

// The four types strata serves, plus what a misbehaving upstream might send instead.
constexpr std::string_view served_types[] = {
    media_type::oci_manifest, media_type::oci_index, media_type::docker_manifest, media_type::docker_manifest_list,
    "", "application/json",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto body = fuzz::as_text(data, size);
    for (const auto served : served_types) {
        auto m = parse_manifest(body, served);
        if (!m) {
            FUZZ_CHECK(m.error() == errc::manifest_invalid);
            continue;
        }
        FUZZ_CHECK(is_manifest_media_type(m->media_type));
        // An image manifest always names its config first; an index may be empty.
        if (!is_index_media_type(m->media_type)) FUZZ_CHECK(!m->children.empty());
        for (const auto& child : m->children) {
            auto again = digest::parse(child.digest_value.str());
            FUZZ_CHECK(again && *again == child.digest_value);
        }
    }
    return 0;
}

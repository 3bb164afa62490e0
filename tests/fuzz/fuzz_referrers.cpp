// fuzz_referrers: referrers indexes from upstreams (storage/oci/referrers parse_referrers), and
// strata's own rendering of what it kept, read back.
#include "storage/oci/referrers.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace strata;
using namespace strata::storage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto body = fuzz::as_text(data, size);
    auto parsed = parse_referrers(body);
    if (!parsed) {
        FUZZ_CHECK(parsed.error() == errc::manifest_invalid);
        return 0;
    }
    for (const auto& r : parsed->entries) {
        FUZZ_CHECK(is_media_type(r.media_type));
        FUZZ_CHECK(r.artifact_type.empty() || is_media_type(r.artifact_type));
    }
    // What strata renders it reads back whole, every descriptor kept.
    const auto index = referrers_index(parsed->entries);
    auto again = parse_referrers(index);
    FUZZ_CHECK(again && again->dropped == 0 && again->entries.size() == parsed->entries.size());
    if (!parsed->entries.empty()) {
        const auto& first_type = parsed->entries.front().artifact_type;
        auto filtered = parse_referrers(referrers_index(parsed->entries, first_type.empty() ? "a/b" : first_type));
        FUZZ_CHECK(filtered && filtered->entries.size() <= parsed->entries.size());
    }
    return 0;
}

// fuzz_tag_list: upstream tag-list pages (proxy/protocol/tag_pages parse_tag_page).
#include "proxy/protocol/tag_pages.hpp"
#include "storage/oci/reference.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace strata;
using namespace strata::proxy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::size_t rejected = 0;
    auto tags = parse_tag_page(fuzz::as_text(data, size), &rejected);
    if (!tags) {
        FUZZ_CHECK(tags.error() == errc::upstream_protocol);
        return 0;
    }
    // Nothing that fails the tag grammar survives to reach a Link header or a client.
    for (const auto& t : *tags) FUZZ_CHECK(storage::is_valid_tag(t));
    FUZZ_CHECK(tags->size() + rejected <= size);
    return 0;
}

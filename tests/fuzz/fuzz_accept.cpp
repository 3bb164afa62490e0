// fuzz_accept: Accept header values, one per line, merged as the server merges repeated
// headers (proxy/protocol/accept accept_list).
#include "proxy/protocol/accept.hpp"
#include "storage/oci/manifest.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <algorithm>
#include <cctype>

using namespace strata;
using namespace strata::proxy;

namespace {

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::as_text(data, size);
    accept_list list;
    for (std::size_t start = 0;;) {
        const auto nl = text.find('\n', start);
        list.add_header(text.substr(start, nl == std::string_view::npos ? nl : nl - start));
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }

    for (const auto& t : list.types()) {
        FUZZ_CHECK(!t.empty() && t.find_first_of(",;") == std::string::npos);
        FUZZ_CHECK(std::none_of(t.begin(), t.end(), [](unsigned char c) { return std::isupper(c); }));
        FUZZ_CHECK(std::count(list.types().begin(), list.types().end(), t) == 1);
    }
    // What strata forwards upstream means the same list again, and accepts everything it names.
    accept_list forwarded;
    forwarded.add_header(list.header_value());
    FUZZ_CHECK(forwarded.types() == list.types());
    for (const auto& t : forwarded.types()) FUZZ_CHECK(forwarded.accepts(t));

    using namespace storage::media_type;
    for (const auto type : {oci_manifest, oci_index, docker_manifest, docker_manifest_list}) {
        if (list.empty()) FUZZ_CHECK(list.accepts(type));  // no Accept at all: anything goes
        FUZZ_CHECK(list.accepts(type) == list.accepts(upper(type)));
    }
    return 0;
}

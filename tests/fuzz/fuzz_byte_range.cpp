// fuzz_byte_range: Range header values resolved against a blob size (proxy/protocol/byte_range resolve_range).
// Input: 8 bytes of blob size (little-endian), then the header value.
#include "proxy/protocol/byte_range.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cstring>
#include <limits>

using namespace strata;
using namespace strata::proxy;

namespace {

void check(std::string_view header, std::uint64_t size) {
    auto r = resolve_range(header, size);
    if (!r) {
        FUZZ_CHECK(r.error() == errc::range_unsatisfiable);
        FUZZ_CHECK(header.starts_with("bytes="));
        return;
    }
    if (!*r) return;  // the whole blob
    const auto& range = **r;
    FUZZ_CHECK(header.starts_with("bytes="));
    FUZZ_CHECK(range.first <= range.last && range.last < size);
    FUZZ_CHECK(range.length() >= 1 && range.length() <= size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::uint64_t blob_size = 0;
    const auto n = std::min<std::size_t>(size, sizeof blob_size);
    std::memcpy(&blob_size, data, n);
    const auto header = fuzz::as_text(data + n, size - n);
    check(header, blob_size);
    for (const std::uint64_t s : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1000},
                                  std::numeric_limits<std::uint64_t>::max()})
        check(header, s);
    return 0;
}

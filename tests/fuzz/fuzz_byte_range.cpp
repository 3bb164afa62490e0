// fuzz_byte_range: Range header values resolved against a blob size (proxy/protocol/byte_range
// resolve_ranges), the multipart framing of what they resolve to, the upstream requests planned
// for them (plan_upstream_spans), and the header as a pull event records it.
// Input: 8 bytes of blob size (little-endian), then the header value.
#include "proxy/protocol/byte_range.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cstring>
#include <limits>

using namespace strata;
using namespace strata::proxy;

namespace {

// At most max_upstream_spans upstream requests, covering every range, in the order asked.
void check_upstream_spans(const std::vector<byte_range>& ranges) {
    for (const std::uint64_t gap : {std::uint64_t{0}, std::uint64_t{1} << 16, std::numeric_limits<std::uint64_t>::max()}) {
        const auto spans = plan_upstream_spans(ranges, gap);
        if (!spans) {
            FUZZ_CHECK(spans.error() == errc::ranges_refused);
            continue;
        }
        FUZZ_CHECK(!spans->empty() && spans->size() <= max_upstream_spans);
        FUZZ_CHECK(spans->back().end == ranges.size());
        std::size_t begin = 0;
        for (const auto& span : *spans) {
            FUZZ_CHECK(span.end > begin);
            for (std::size_t i = begin; i < span.end; ++i)
                FUZZ_CHECK(span.covering.first <= ranges[i].first && ranges[i].last <= span.covering.last);
            begin = span.end;
        }
    }
}

// What the event log keeps of a Range header: whole up to 256 bytes, else cut short.
void check_recorded(std::string_view header) {
    std::string recorded;
    assign_range_for_record(recorded, header);
    if (header.size() <= 256) FUZZ_CHECK(recorded == header);
    else FUZZ_CHECK(recorded.size() <= 256 + 32 && recorded.ends_with(" ranges)"));
}

void check(std::string_view header, std::uint64_t size) {
    auto r = resolve_ranges(header, size);
    if (!r) {
        FUZZ_CHECK(r.error() == errc::range_unsatisfiable || r.error() == errc::ranges_refused);
        FUZZ_CHECK(header.starts_with("bytes="));
        return;
    }
    if (r->empty()) return;  // the whole blob
    FUZZ_CHECK(header.starts_with("bytes="));
    FUZZ_CHECK(r->size() <= max_ranges);
    std::uint64_t total = 0;
    for (const auto& range : *r) {
        FUZZ_CHECK(range.first <= range.last && range.last < size);
        FUZZ_CHECK(range.length() >= 1 && range.length() <= size);
        total += range.length();
    }
    FUZZ_CHECK(total <= size);  // no overlap
    const auto plan = plan_multipart(*r, size, "application/octet-stream", "b");
    FUZZ_CHECK(plan.part_heads.size() == r->size());
    std::uint64_t framed = plan.closing.size() + total;
    for (const auto& head : plan.part_heads) framed += head.size();
    FUZZ_CHECK(framed == plan.content_length);
    check_upstream_spans(*r);
    // What strata forwards upstream reads back as the same spec.
    const auto specs = parse_range_header(header);  // named: a range-for over *temporary would dangle
    for (const auto& spec : *specs) {
        const auto again = parse_range_header(spec.header_value());
        FUZZ_CHECK(again && again->size() == 1 && again->front().first == spec.first &&
                   again->front().last == spec.last && again->front().suffix == spec.suffix);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::uint64_t blob_size = 0;
    const auto n = std::min<std::size_t>(size, sizeof blob_size);
    std::memcpy(&blob_size, data, n);
    const auto header = fuzz::as_text(data + n, size - n);
    check_recorded(header);
    check(header, blob_size);
    for (const std::uint64_t s : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1000},
                                  std::numeric_limits<std::uint64_t>::max()})
        check(header, s);
    return 0;
}

// Tests of Range header resolution and multipart/byteranges framing.
#include "proxy/protocol/byte_range.hpp"

#include "tests/catch_result.hpp"

using strata::errc;
using namespace strata::proxy;

namespace {
std::vector<byte_range> ranges_of(std::string_view header, std::uint64_t size) {
    auto r = resolve_ranges(header, size);
    REQUIRE(r);
    return *r;
}
}  // namespace

TEST_CASE("resolve_ranges: satisfiable single ranges") {
    CHECK(ranges_of("bytes=0-", 100) == std::vector<byte_range>{{0, 99}});
    CHECK(ranges_of("bytes=10-19", 100) == std::vector<byte_range>{{10, 19}});
    CHECK(ranges_of("bytes=90-1000", 100) == std::vector<byte_range>{{90, 99}});
    CHECK(ranges_of("bytes=-30", 100) == std::vector<byte_range>{{70, 99}});
    CHECK(ranges_of("bytes=-300", 100) == std::vector<byte_range>{{0, 99}});
    CHECK(ranges_of("bytes=6000000000-", 7000000000ull).front().length() == 1000000000ull);
}

TEST_CASE("resolve_ranges: several ranges, in the order asked, unsatisfiable ones dropped") {
    CHECK(ranges_of("bytes=0-1,5-6", 100) == std::vector<byte_range>{{0, 1}, {5, 6}});
    CHECK(ranges_of("bytes=50-59, 0-9,\t-5", 100) == std::vector<byte_range>{{50, 59}, {0, 9}, {95, 99}});
    CHECK(ranges_of("bytes=0-9,200-300", 100) == std::vector<byte_range>{{0, 9}});
    CHECK(ranges_of("bytes=0-9,,20-29,", 100) == std::vector<byte_range>{{0, 9}, {20, 29}});  // empty elements
}

TEST_CASE("resolve_ranges: unsatisfiable and refused ranges") {
    CHECK(resolve_ranges("bytes=100-", 100).error() == errc::range_unsatisfiable);
    CHECK(resolve_ranges("bytes=100-200", 100).error() == errc::range_unsatisfiable);
    CHECK(resolve_ranges("bytes=-0", 100).error() == errc::range_unsatisfiable);
    CHECK(resolve_ranges("bytes=0-", 0).error() == errc::range_unsatisfiable);
    CHECK(resolve_ranges("bytes=100-,200-", 100).error() == errc::range_unsatisfiable);
    // Overlapping, in any order, and more than max_ranges.
    CHECK(resolve_ranges("bytes=0-10,10-20", 100).error() == errc::ranges_refused);
    CHECK(resolve_ranges("bytes=50-60,0-55", 100).error() == errc::ranges_refused);
    CHECK(resolve_ranges("bytes=0-,-1", 100).error() == errc::ranges_refused);
    std::string many = "bytes=0-0";
    for (std::size_t i = 1; i <= max_ranges; ++i) many += "," + std::to_string(2 * i) + "-" + std::to_string(2 * i);
    CHECK(resolve_ranges(many, 10'000).error() == errc::ranges_refused);
    CHECK(ranges_of(many.substr(0, many.rfind(',')), 10'000).size() == max_ranges);
}

TEST_CASE("resolve_ranges ignores what a server may ignore") {
    std::string too_long = "bytes=0-0";
    for (std::size_t i = 1; i <= 4 * max_ranges; ++i) too_long += ",0-0";
    for (const std::string& h : {std::string(), std::string("items=0-1"), std::string("bytes="), std::string("bytes=a-b"),
                                std::string("bytes=5-2"), std::string("bytes=-"), std::string("bytes=1-2x"),
                                std::string("bytes=99999999999999999999999-"), std::string("bytes=0-1,x"),
                                std::string("bytes=,"), too_long}) {
        INFO(h);
        CHECK(ranges_of(h, 100).empty());
    }
}

TEST_CASE("a range spec is forwarded as strata writes it") {
    const auto specs = parse_range_header("bytes= 7-9 , 100- ,-42");
    REQUIRE(specs);
    REQUIRE(specs->size() == 3);
    CHECK((*specs)[0].header_value() == "bytes=7-9");
    CHECK((*specs)[1].header_value() == "bytes=100-");
    CHECK((*specs)[2].header_value() == "bytes=-42");
}

TEST_CASE("a multipart/byteranges body frames each part and counts every byte") {
    const std::vector<byte_range> ranges{{0, 9}, {50, 54}};
    const auto plan = plan_multipart(ranges, 100, "application/octet-stream", "B0UNDARY");
    CHECK(plan.content_type == "multipart/byteranges; boundary=B0UNDARY");
    REQUIRE(plan.part_heads.size() == 2);
    CHECK(plan.part_heads[0] ==
          "--B0UNDARY\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-9/100\r\n\r\n");
    CHECK(plan.part_heads[1] ==
          "\r\n--B0UNDARY\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 50-54/100\r\n\r\n");
    CHECK(plan.closing == "\r\n--B0UNDARY--\r\n");
    CHECK(plan.content_length == plan.part_heads[0].size() + 10 + plan.part_heads[1].size() + 5 + plan.closing.size());
}

TEST_CASE("plan_spans joins ascending ranges with small gaps into one upstream request each") {
    const std::vector<byte_range> ranges{{0, 9}, {10, 19}, {30, 39}, {1000, 1009}, {500, 509}, {1010, 1019}};
    const auto spans = plan_spans(ranges, 100);
    REQUIRE(spans.size() == 4);
    CHECK(spans[0].covering == byte_range{0, 39});  // adjacent and a 10-byte gap
    CHECK(spans[0].end == 3);
    CHECK(spans[1].covering == byte_range{1000, 1009});  // 960 bytes on: a span of its own
    CHECK(spans[1].end == 4);
    CHECK(spans[2].covering == byte_range{500, 509});  // before the previous: never joined backwards
    CHECK(spans[2].end == 5);
    CHECK(spans[3].covering == byte_range{1010, 1019});  // 500 bytes past 509
    CHECK(spans[3].end == 6);
    // No gap allowed: only touching ranges join.
    CHECK(plan_spans(ranges, 0).size() == 5);
    CHECK(plan_spans({{5, 5}}, 1 << 20).size() == 1);
}

TEST_CASE("plan_upstream_spans: at most 16 upstream requests, joining the smallest gaps, refusing disorder") {
    std::vector<byte_range> spread;  // 40 ranges, each 1 MiB past the last, the gaps growing
    std::uint64_t at = 0;
    for (std::uint64_t i = 0; i < 40; ++i) {
        spread.push_back({at, at + 9});
        at += 10 + (1 << 20) + i;
    }
    const auto spans = plan_upstream_spans(spread, 256 * 1024);
    REQUIRE(spans);
    REQUIRE(spans->size() == max_upstream_spans);
    CHECK(spans->front().covering.first == 0);
    CHECK(spans->back().covering.last == spread.back().last);
    CHECK(spans->back().end == spread.size());
    for (std::size_t i = 1; i < spans->size(); ++i) CHECK((*spans)[i].covering.first > (*spans)[i - 1].covering.last);
    // The smallest gaps were joined first: the first span holds the earliest (smallest-gapped) ranges.
    CHECK(spans->front().end == 25);

    std::vector<byte_range> descending;  // every range before the last: no span may join
    for (std::uint64_t i = 0; i < 17; ++i) descending.push_back({(20 - i) * 100, (20 - i) * 100 + 9});
    CHECK(plan_upstream_spans(descending, 256 * 1024).error() == errc::ranges_refused);
    descending.pop_back();
    CHECK(plan_upstream_spans(descending, 256 * 1024)->size() == 16);
}

TEST_CASE("a long Range header is recorded as its first ranges and their count") {
    std::string out = "reused";
    assign_range_for_record(out, "bytes=0-9,20-29");
    CHECK(out == "bytes=0-9,20-29");
    std::string many = "bytes=0-9";
    for (int i = 1; i < 400; ++i) many += "," + std::to_string(i * 1000) + "-" + std::to_string(i * 1000 + 9);
    assign_range_for_record(out, many);
    CHECK(out.size() < 256);
    CHECK(out.starts_with("bytes=0-9,1000-1009,"));
    CHECK(out.ends_with(",\xE2\x80\xA6 (400 ranges)"));
    CHECK(many.starts_with(out.substr(0, out.find("\xE2"))));
}

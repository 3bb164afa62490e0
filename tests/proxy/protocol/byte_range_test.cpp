// Tests of Range header resolution.
#include "proxy/protocol/byte_range.hpp"

#include "tests/catch_result.hpp"

using strata::errc;
using strata::proxy::resolve_range;

TEST_CASE("resolve_range: satisfiable single ranges") {
    auto r = resolve_range("bytes=0-", 100);
    REQUIRE(r);
    REQUIRE(*r);
    CHECK((*r)->first == 0);
    CHECK((*r)->last == 99);
    r = resolve_range("bytes=10-19", 100);
    CHECK((*r)->first == 10);
    CHECK((*r)->length() == 10);
    r = resolve_range("bytes=90-1000", 100);
    CHECK((*r)->last == 99);
    r = resolve_range("bytes=-30", 100);
    CHECK((*r)->first == 70);
    CHECK((*r)->last == 99);
    r = resolve_range("bytes=-300", 100);
    CHECK((*r)->first == 0);
    r = resolve_range("bytes=6000000000-", 7000000000ull);
    CHECK((*r)->length() == 1000000000ull);
}

TEST_CASE("resolve_range: unsatisfiable ranges") {
    CHECK(resolve_range("bytes=100-", 100).error() == errc::range_unsatisfiable);
    CHECK(resolve_range("bytes=100-200", 100).error() == errc::range_unsatisfiable);
    CHECK(resolve_range("bytes=-0", 100).error() == errc::range_unsatisfiable);
    CHECK(resolve_range("bytes=0-", 0).error() == errc::range_unsatisfiable);
}

TEST_CASE("resolve_range ignores what a server may ignore") {
    for (const char* h : {"", "items=0-1", "bytes=", "bytes=a-b", "bytes=5-2", "bytes=0-1,5-6", "bytes=-", "bytes=1-2x",
                          "bytes=99999999999999999999999-", "bytes= 1-2"}) {
        INFO(h);
        auto r = resolve_range(h, 100);
        REQUIRE(r);
        CHECK_FALSE(*r);
    }
}

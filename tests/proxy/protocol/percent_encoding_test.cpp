// Tests of percent-encoding: what is kept, what is escaped, and strict decoding.
#include "proxy/protocol/percent_encoding.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;

TEST_CASE("percent_encode keeps unreserved characters and what the caller keeps, escapes the rest") {
    CHECK(percent_encode("AZaz09-._~") == "AZaz09-._~");
    CHECK(percent_encode("repository:org/app:pull") == "repository%3Aorg%2Fapp%3Apull");
    CHECK(percent_encode("p@ss w&rd=+") == "p%40ss%20w%26rd%3D%2B");
    CHECK(percent_encode("ghcr.io/org/app:v1@x", "/:@") == "ghcr.io/org/app:v1@x");
    CHECK(percent_encode(std::string("\0\xff\r\n", 4)) == "%00%FF%0D%0A");
}

TEST_CASE("percent_decode undoes percent_encode and refuses malformed escapes and NUL") {
    CHECK(percent_decode("a%3Ab") == "a:b");
    CHECK(percent_decode("plain") == "plain");
    CHECK(percent_decode(percent_encode("a b/c\xc3\xa9")) == "a b/c\xc3\xa9");
    CHECK_FALSE(percent_decode("%"));
    CHECK_FALSE(percent_decode("%4"));
    CHECK_FALSE(percent_decode("%g0"));
    CHECK_FALSE(percent_decode("%00"));
}

// Tests of the Authorization header parser for pull authentication: Basic, Bearer, and everything
// a client could send instead.
#include "proxy/auth/pull_credentials.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;
using kind = pull_credentials::kind;

TEST_CASE("Basic credentials are decoded into user and password") {
    const auto c = parse_pull_credentials("Basic bm9kZXM6czNjcjN0OndpdGg6Y29sb25z");  // nodes:s3cr3t:with:colons
    CHECK(c.what == kind::basic);
    CHECK(c.user == "nodes");
    CHECK(c.secret == "s3cr3t:with:colons");
    CHECK(parse_pull_credentials("bAsIc   bm9kZXM6").what == kind::basic);  // scheme case-insensitive; "nodes:"
    CHECK(parse_pull_credentials("bAsIc   bm9kZXM6").secret.empty());
}

TEST_CASE("Bearer tokens are taken as token68") {
    const auto c = parse_pull_credentials("Bearer abc.DEF-123_~+/==");
    CHECK(c.what == kind::bearer);
    CHECK(c.secret == "abc.DEF-123_~+/==");
    CHECK(parse_pull_credentials("  bearer xyz  ").secret == "xyz");
}

TEST_CASE("no header is no credentials; anything unreadable is malformed") {
    CHECK(parse_pull_credentials("").what == kind::none);
    CHECK(parse_pull_credentials("   ").what == kind::none);
    for (const char* bad : {"Basic", "Basic ", "Basic !!!!", "Basic bm9kZXM",  // length not a multiple of 4
                            "Basic OnBhc3M=",                                   // ":pass": no user
                            "Basic bm9kZXM=",                                   // "nodes": no colon
                            "Basic bm9k=XM6",                                   // padding inside
                            "Bearer", "Bearer a b", "Bearer =abc", "Bearer a\"b", "Digest username=x",
                            "Basicbm9kZXM6", "Negotiate abc"})
        CHECK(parse_pull_credentials(bad).what == kind::malformed);
    CHECK(parse_pull_credentials("Bearer " + std::string(max_authorization_bytes, 'a')).what == kind::malformed);
    const std::string binary("Basic \0\xff\x01", 9);
    CHECK(parse_pull_credentials(binary).what == kind::malformed);
}

TEST_CASE("base64 is decoded strictly") {
    std::string out;
    CHECK(decode_base64("", out));
    CHECK(out.empty());
    CHECK(decode_base64("YQ==", out));
    CHECK(out == "a");
    CHECK(decode_base64("YWI=", out));
    CHECK(out == "ab");
    CHECK(decode_base64("YWJj", out));
    CHECK(out == "abc");
    for (const char* bad : {"Y", "YQ=", "YQ=a", "Y===", "====", "YW\nJj", "YWJj====", "YQ==YQ==", "YR==", "YWJ="})
        CHECK_FALSE(decode_base64(bad, out));
}

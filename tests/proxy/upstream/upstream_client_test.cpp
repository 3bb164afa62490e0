// Tests of redirect location resolution for the upstream client.
#include "proxy/upstream/upstream_client.hpp"
#include "proxy/protocol/upstream_status.hpp"

#include "tests/catch_result.hpp"

using namespace strata::proxy;

TEST_CASE("resolve_location follows absolute and relative redirects") {
    const location from{true, "ghcr.io", "443", "/v2/org/app/blobs/sha256:aa"};
    auto to = resolve_location(from, "https://pkg-containers.githubusercontent.com/ghcr1/blobs/sha256:aa?sig=x");
    REQUIRE(to);
    CHECK(to->tls);
    CHECK(to->host == "pkg-containers.githubusercontent.com");
    CHECK(to->port == "443");
    CHECK(to->target == "/ghcr1/blobs/sha256:aa?sig=x");
    CHECK(to->origin() != from.origin());
    to = resolve_location(from, "http://127.0.0.1:9000?x=1");
    CHECK_FALSE(to->tls);
    CHECK(to->port == "9000");
    CHECK(to->target == "/?x=1");
    to = resolve_location(from, "/other/path");
    CHECK(to->host == "ghcr.io");
    CHECK(to->target == "/other/path");
    for (const char* bad : {"", "ftp://x/y", "https://", "https://user:pw@evil/", "relative/path", "https://h:99999/"})
        CHECK_FALSE(resolve_location(from, bad));
}

TEST_CASE("an upstream Content-Length reaches a client only as a number strata parsed") {
    CHECK(parse_content_length("0") == 0u);
    CHECK(parse_content_length("1234") == 1234u);
    CHECK(parse_content_length("9999999999999999999") == 9999999999999999999ull);
    for (const char* bad : {"", " 1", "1 ", "-1", "+1", "1,2", "1\r\nX-Injected: 1", "12a", "99999999999999999999"})
        CHECK_FALSE(parse_content_length(bad));
}

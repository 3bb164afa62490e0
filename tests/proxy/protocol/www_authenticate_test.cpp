// Tests of WWW-Authenticate challenge parsing.
#include "proxy/protocol/www_authenticate.hpp"

#include "tests/catch_result.hpp"

using namespace strata::proxy;

TEST_CASE("parses Docker Hub's bearer challenge") {
    auto c = parse_www_authenticate(
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
    REQUIRE(c.size() == 1);
    CHECK(c[0].scheme == "bearer");
    CHECK(c[0].param("realm") == "https://auth.docker.io/token");
    CHECK(c[0].param("service") == "registry.docker.io");
    CHECK(c[0].param("scope") == "repository:library/alpine:pull");
    CHECK(c[0].param("missing").empty());
}

TEST_CASE("parses several challenges, token values, escapes and odd spacing") {
    auto c = parse_www_authenticate(R"(Basic realm="a \"quoted\" realm" ,  BEARER Realm = https://x/token , error=invalid_token)");
    REQUIRE(c.size() == 2);
    CHECK(c[0].scheme == "basic");
    CHECK(c[0].param("realm") == "a \"quoted\" realm");
    CHECK(c[1].scheme == "bearer");
    CHECK(c[1].param("realm") == "https://x/token");
    CHECK(c[1].param("error") == "invalid_token");
    auto picked = pick_challenge(c);
    REQUIRE(picked);
    CHECK(picked->scheme == "bearer");
}

TEST_CASE("malformed challenges yield what parsed cleanly, never a crash") {
    CHECK(parse_www_authenticate("").empty());
    CHECK(parse_www_authenticate(",,,").empty());
    CHECK(parse_www_authenticate(R"(Bearer realm="unterminated)").empty());
    CHECK(parse_www_authenticate("=== ===").empty());
    auto c = parse_www_authenticate(std::string(100000, 'a'));
    REQUIRE(c.size() == 1);
    CHECK(c[0].params.empty());
    CHECK_FALSE(pick_challenge(parse_www_authenticate("Bearer service=x")));  // a bearer without realm is useless
    CHECK(pick_challenge(parse_www_authenticate("Digest realm=x, Basic realm=y"))->scheme == "basic");
}

// Tests of where an upstream may send strata: Location parsing, downgrades, internal addresses.
#include "proxy/upstream/redirect_policy.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;

namespace {

upstream_config upstream(const std::string& url) {
    upstream_config u;
    u.name = "up";
    u.url = url;
    u.origin = parse_origin(url, "url");
    return u;
}

asio::ip::address ip(const char* text) { return asio::ip::make_address(text); }

}  // namespace

TEST_CASE("resolve_location never throws, and refuses what cannot be a request target") {
    const location from{true, "ghcr.io", "443", "/v2/x"};
    CHECK_FALSE(resolve_location(from, "http://127.0.0.1:99999999999999999999/x"));  // a 20-digit port
    CHECK_FALSE(resolve_location(from, "http://127.0.0.1:0/x"));
    CHECK_FALSE(resolve_location(from, "//evil.example/x"));
    CHECK_FALSE(resolve_location(from, "/x\r\nHost: evil"));
    CHECK_FALSE(resolve_location(from, "https://user:pw@host/x"));
    CHECK_FALSE(resolve_location(from, "ftp://host/x"));
    CHECK_FALSE(resolve_location(from, "https://bad_host!/x"));
    const auto to = resolve_location(from, "https://cdn.example:8443/blob?sig=1#frag");
    REQUIRE(to);
    CHECK(to->host == "cdn.example");
    CHECK(to->port == "8443");
    CHECK(to->target == "/blob?sig=1");
}

TEST_CASE("an https upstream never leads to plain http") {
    const auto u = upstream("https://ghcr.io");
    CHECK(refuse_target(u, location{false, "cdn.example", "80", "/"}));
    CHECK_FALSE(refuse_target(u, location{true, "cdn.example", "443", "/"}));
    CHECK_FALSE(refuse_target(upstream("http://registry.lan:5000"), location{false, "cdn", "80", "/"}));
}

TEST_CASE("internal addresses are recognised, in IPv4, IPv6 and mapped forms") {
    for (const char* a : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                          "0.0.0.0", "100.64.0.1", "224.0.0.1", "::1", "fe80::1", "fd00::1", "::", "::ffff:127.0.0.1",
                          "::ffff:10.0.0.1"})
        CHECK(is_internal_address(ip(a)));
    for (const char* a : {"8.8.8.8", "172.32.0.1", "192.169.0.1", "2606:4700::1111", "::ffff:1.1.1.1"})
        CHECK_FALSE(is_internal_address(ip(a)));
}

TEST_CASE("an internal address is allowed only for the upstream's own origin or a listed host") {
    auto u = upstream("http://127.0.0.1:5000");
    const location own{false, "127.0.0.1", "5000", "/"};
    const location other_port{false, "127.0.0.1", "5001", "/"};
    CHECK(address_allowed(u, own, ip("127.0.0.1")));
    CHECK_FALSE(address_allowed(u, other_port, ip("127.0.0.1")));
    CHECK(address_allowed(u, location{true, "cdn.example", "443", "/"}, ip("1.2.3.4")));
    u.redirect_hosts = {"127.0.0.1:5001"};
    CHECK(address_allowed(u, other_port, ip("127.0.0.1")));
    u.redirect_hosts = {"minio.lan"};
    CHECK(address_allowed(u, location{false, "minio.lan", "9000", "/"}, ip("10.0.0.9")));
}

TEST_CASE("credentials go only to the upstream's origin or over verified TLS") {
    auto u = upstream("http://registry.lan:5000");
    CHECK(may_send_credentials(u, location{false, "registry.lan", "5000", "/token"}));
    CHECK_FALSE(may_send_credentials(u, location{false, "auth.lan", "80", "/token"}));
    CHECK(may_send_credentials(u, location{true, "auth.example", "443", "/token"}));
    u.tls_verify = false;
    CHECK_FALSE(may_send_credentials(u, location{true, "auth.example", "443", "/token"}));
}

// Tests of routing: ns=, host prefixes, the default upstream, library/ and refusals.
#include "proxy/protocol/route.hpp"

#include "tests/catch_result.hpp"

using namespace strata::proxy;
using strata::errc;

namespace {

config test_config() {
    config c = default_config();
    upstream_config local;
    local.name = "registry.test";
    local.url = "http://127.0.0.1:5001";
    local.origin = parse_origin(local.url, "test");
    c.upstreams.push_back(local);
    return c;
}

}  // namespace

TEST_CASE("route: base endpoint") {
    const auto c = test_config();
    CHECK(parse_route("/v2/", c)->kind == endpoint::base);
    CHECK(parse_route("/v2", c)->kind == endpoint::base);
    CHECK(parse_route("/", c)->kind == endpoint::unknown);
    CHECK(parse_route("/v1/_ping", c)->kind == endpoint::unknown);
}

TEST_CASE("route: containerd's ns= picks the upstream; docker.io gets library/") {
    const auto c = test_config();
    auto r = parse_route("/v2/library/alpine/manifests/3.20?ns=docker.io", c);
    REQUIRE(r);
    CHECK(r->kind == endpoint::manifest);
    CHECK(r->upstream->name == "docker.io");
    CHECK(r->repository == "library/alpine");
    CHECK(r->reference == "3.20");
    r = parse_route("/v2/org/app/blobs/sha256:abc?ns=ghcr.io", c);
    CHECK(r->kind == endpoint::blob);
    CHECK(r->upstream->name == "ghcr.io");
    CHECK(r->repository == "org/app");
    r = parse_route("/v2/busybox/manifests/latest?ns=registry-1.docker.io", c);
    CHECK(r->upstream->name == "docker.io");
    CHECK(r->repository == "library/busybox");
}

TEST_CASE("route: host prefix picks the upstream and is stripped") {
    const auto c = test_config();
    auto r = parse_route("/v2/ghcr.io/converged-computing/metric-lammps/manifests/latest", c);
    REQUIRE(r);
    CHECK(r->upstream->name == "ghcr.io");
    CHECK(r->repository == "converged-computing/metric-lammps");
    CHECK(r->client_name == "ghcr.io/converged-computing/metric-lammps");
    r = parse_route("/v2/registry.test/team/app/tags/list?n=2&last=a", c);
    CHECK(r->kind == endpoint::tags_list);
    CHECK(r->upstream->name == "registry.test");
    CHECK(r->page_size == 2u);
    CHECK(r->last == "a");
    r = parse_route("/v2/docker.io/alpine/manifests/latest", c);
    CHECK(r->repository == "library/alpine");
}

TEST_CASE("route: default upstream with library/ normalisation") {
    const auto c = test_config();
    auto r = parse_route("/v2/alpine/manifests/latest", c);
    REQUIRE(r);
    CHECK(r->upstream->name == "docker.io");
    CHECK(r->repository == "library/alpine");
    r = parse_route("/v2/bitnami/redis/manifests/latest", c);
    CHECK(r->repository == "bitnami/redis");
}

TEST_CASE("route: repository names containing verbs split at the last verb") {
    const auto c = test_config();
    auto r = parse_route("/v2/org/manifests/x/manifests/v1?ns=ghcr.io", c);
    REQUIRE(r);
    CHECK(r->repository == "org/manifests/x");
    CHECK(r->reference == "v1");
}

TEST_CASE("route: unknown hosts are refused, never contacted") {
    const auto c = test_config();
    for (const char* target : {"/v2/evil.example.com/x/manifests/latest", "/v2/x/manifests/latest?ns=evil.example.com",
                               "/v2/169.254.169.254/latest/manifests/x", "/v2/localhost/x/blobs/sha256:aa",
                               "/v2/127.0.0.1:22/x/manifests/latest", "/v2/x/manifests/y?ns=127.0.0.1%3A5001"}) {
        INFO(target);
        auto r = parse_route(target, c);
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::upstream_unknown);
    }
}

TEST_CASE("route: invalid names are refused with name_invalid") {
    const auto c = test_config();
    for (const char* target : {"/v2/UPPER/manifests/latest", "/v2/a/../b/manifests/latest", "/v2/a%2F..%2Fb/manifests/x",
                               "/v2/%zz/manifests/latest", "/v2/a%00b/manifests/x",
                               "/v2//manifests/latest"}) {
        INFO(target);
        auto r = parse_route(target, c);
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::name_invalid);
    }
}

TEST_CASE("route: uploads are recognised as push and not routed") {
    const auto c = test_config();
    CHECK(parse_route("/v2/x/blobs/uploads/", c)->kind == endpoint::blob_upload);
    CHECK(parse_route("/v2/x/blobs/uploads/1234-abcd", c)->kind == endpoint::blob_upload);
}

TEST_CASE("route: a reused route is reset by each parse and keeps its strings' storage") {
    const auto c = test_config();
    route r;
    REQUIRE(parse_route("/v2/registry.test/team/app/tags/list?n=2&last=a&ns=registry.test", c, r));
    CHECK(r.ns == "registry.test");
    CHECK(r.page_size == 2u);
    const std::string digest = "sha256:" + std::string(64, 'a');
    REQUIRE(parse_route("/v2/registry.test/team/app/manifests/" + digest, c, r));
    CHECK(r.kind == endpoint::manifest);
    CHECK(r.upstream->name == "registry.test");
    CHECK(r.reference == digest);
    CHECK(r.ns.empty());
    CHECK(r.last.empty());
    CHECK(!r.page_size);
    const auto* reference_storage = r.reference.data();
    const auto* name_storage = r.client_name.data();
    REQUIRE(parse_route("/v2/registry.test/team/app/manifests/" + digest, c, r));
    CHECK(r.reference.data() == reference_storage);
    CHECK(r.client_name.data() == name_storage);

    CHECK(parse_route("/v2/unknown.test/x/manifests/v1", c, r).error() == errc::upstream_unknown);
    CHECK(r.kind == endpoint::unknown);  // no half-parsed route
    CHECK(r.upstream == nullptr);
    CHECK(r.client_name.empty());
    REQUIRE(parse_route("/v2/registry.test/team/app/manifests/" + std::string(3000, 'x'), c, r));
    REQUIRE(parse_route("/v2/registry.test/team/app/manifests/v1", c, r));
    CHECK(r.reference.capacity() <= 1024);  // a long target's storage is not held for the connection
    REQUIRE(parse_route("/v2/", c, r));
    CHECK(r.kind == endpoint::base);
    CHECK(r.reference.empty());
    CHECK(r.upstream == nullptr);
    CHECK(parse_route("/v2/x/manifests/v1?ns=%zz", c, r).error() == errc::name_invalid);
    REQUIRE(parse_route("/v2/library/alpine/manifests/3.20?n=5&n=x&ns=docker.io", c, r));
    CHECK(r.page_size == 5u);  // an n that is not a number is ignored, as before
}

// Tests of the distribution-spec repository name and tag grammars.
#include "storage/oci/reference.hpp"

#include "tests/catch_result.hpp"

using namespace strata::storage;

TEST_CASE("valid repository names") {
    for (const char* name : {"a", "library/alpine", "converged-computing/metric-lammps", "a/b/c/d", "foo.bar/baz_qux",
                             "a__b", "a--b", "a-b-c", "0/1", "org/app.v2"}) {
        INFO(name);
        CHECK(is_valid_repository(name));
    }
}

TEST_CASE("invalid repository names") {
    for (const char* name : {"", "A", "Library/alpine", "/a", "a/", "a//b", "-a", "a-", "a.", ".a", "a..b", "a___b",
                             "a_-b", "a/../b", "a/./b", "a b", "a:b", "a%2fb", "a\nb", "a?b", "a/b/"}) {
        INFO(name);
        CHECK_FALSE(is_valid_repository(name));
    }
    CHECK(is_valid_repository(std::string(255, 'a')));
    CHECK_FALSE(is_valid_repository(std::string(256, 'a')));
}

TEST_CASE("tag grammar") {
    for (const char* tag : {"latest", "v1.2.3", "_x", "A-b_c.d", "0"}) CHECK(is_valid_tag(tag));
    for (const char* tag : {"", ".x", "-x", "a/b", "a:b", "a b", "a@b"}) CHECK_FALSE(is_valid_tag(tag));
    CHECK(is_valid_tag(std::string(128, 'a')));
    CHECK_FALSE(is_valid_tag(std::string(129, 'a')));
}

TEST_CASE("manifest_reference tells tags from digests") {
    auto tag = manifest_reference::parse("v1");
    REQUIRE(tag);
    CHECK_FALSE(tag->is_digest());
    CHECK(tag->tag() == "v1");
    auto d = manifest_reference::parse("sha256:" + std::string(64, 'a'));
    REQUIRE(d);
    CHECK(d->is_digest());
    CHECK(manifest_reference::parse("bad tag").error() == strata::errc::tag_invalid);
    CHECK(manifest_reference::parse("sha256:zz").error() == strata::errc::digest_invalid);
}

TEST_CASE("registry hosts") {
    for (const char* ok : {"ghcr.io", "localhost", "localhost:5000", "registry-1.docker.io", "Example.COM", "10.0.0.1:443",
                           "default", "a.b.c.d.e"})
        CHECK(is_valid_registry_host(ok));
    for (const char* bad : {"", "..", ".", "a..b", ".a", "a.", "-a.io", "a-.io", "a b", "a/b", "a:", "a:123456", "a:x",
                            ":80", "a\x1b.io", "ghcr.io/", "a_b.io"})
        CHECK_FALSE(is_valid_registry_host(bad));
    CHECK_FALSE(is_valid_registry_host(std::string(64, 'a') + ".io"));
    CHECK(is_valid_registry_host(std::string(63, 'a') + ".io"));
}

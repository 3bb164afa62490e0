// Tests of the cached-image listing: key order, pages that join up, contents and sizes.
#include "storage/index/image_listing.hpp"
#include "tests/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace strata::storage;

namespace {

// An OCI manifest of one layer, stored with its tag; the layer cached when `cached`.
void store_tagged(metadata_index& index, const repository_key& repo, const std::string& tag, int n, bool cached) {
    const auto layer = sha256_of("listing layer " + std::to_string(n));
    const std::string body = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                             R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                             layer.str() + R"(","size":10},"layers":[]})";
    const auto m = sha256_of(body);
    index.put_manifest(m, "application/vnd.oci.image.manifest.v1+json", body, repo, {layer});
    index.put_tag(repo, tag, {m.str(), "application/vnd.oci.image.manifest.v1+json", 1000 + n});
    if (cached) index.put_blob(layer, {1000u + static_cast<unsigned>(n), "", 1, 5000 + n, 1});
}

}  // namespace

TEST_CASE("list_images pages through tagged images in key order, each with its cached contents") {
    strata::test::temp_dir dir;
    metadata_index index(dir.path / "index");
    store_tagged(index, {"ghcr.io", "org/b"}, "v1", 1, true);
    store_tagged(index, {"docker.io", "library/ubuntu"}, "22.04", 2, false);
    store_tagged(index, {"ghcr.io", "org/a"}, "v2", 3, true);
    store_tagged(index, {"ghcr.io", "org/a"}, "v1", 4, true);

    const auto first = list_images(index, "", 3);
    REQUIRE(first.images.size() == 3);
    CHECK(first.images[0].key() == "docker.io/library/ubuntu:22.04");
    CHECK(first.images[1].key() == "ghcr.io/org/a:v1");
    CHECK(first.images[2].key() == "ghcr.io/org/a:v2");
    CHECK(first.next == "ghcr.io/org/a:v2");
    CHECK_FALSE(first.images[0].complete);
    CHECK(first.images[0].missing_blobs == 1);
    CHECK(first.images[0].last_pull_ns == 1002);  // nothing accessed: its tag's last check
    CHECK(first.images[1].complete);
    CHECK(first.images[1].cached_bytes == 1004);
    CHECK(first.images[1].last_pull_ns == 5004);

    const auto second = list_images(index, first.next, 3);
    REQUIRE(second.images.size() == 1);
    CHECK(second.images[0].key() == "ghcr.io/org/b:v1");
    CHECK(second.next.empty());
    CHECK(list_images(index, "", 4).next.empty());
    CHECK(list_images(index, "zzz", 10).images.empty());
    CHECK(list_images(index, "", 0).images.empty());
}

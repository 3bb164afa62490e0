// Tests of metadata garbage collection: which tags, manifests and references go, which stay.
#include "storage/eviction/metadata_gc.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>

using namespace strata::storage;

namespace {

std::string image_manifest(const digest& layer) {
    return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
           R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
           sha256_of("config").str() + R"(","size":6},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
           layer.str() + R"(","size":5}]})";
}

std::string index_of(const digest& child) {
    return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
           R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
           child.str() + R"(","size":10,"platform":{"os":"linux","architecture":"amd64"}}]})";
}

// Stores a manifest the way the proxy does: body, references to its children.
digest put(metadata_index& index, const std::string& body, const std::string& type, const std::vector<digest>& children) {
    const auto d = sha256_of(body);
    index.put_manifest(d, type, body, {"ghcr.io", "org/app"}, children);
    return d;
}

std::int64_t hours_from_now(int h) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               (std::chrono::system_clock::now() + std::chrono::hours(h)).time_since_epoch())
        .count();
}

}  // namespace

TEST_CASE("metadata GC keeps what live tags reach and what was served recently, and nothing else") {
    const auto dir = std::filesystem::temp_directory_path() / ("strata-gc-test-" + std::to_string(::getpid()));
    {
        metadata_index index(dir);
        const std::string oci = "application/vnd.oci.image.manifest.v1+json";
        const auto m1 = put(index, image_manifest(sha256_of("c")), oci, {sha256_of("c")});
        const auto top = put(index, index_of(m1), "application/vnd.oci.image.index.v1+json", {m1});
        const auto m2 = put(index, image_manifest(sha256_of("a")), oci, {sha256_of("a")});
        const auto m3 = put(index, image_manifest(sha256_of("b")), oci, {sha256_of("b")});
        const repository_key repo{"ghcr.io", "org/app"};
        // Everything was stored "now"; the cutoff lies an hour ahead, so only what a fresh tag
        // reaches or what is served after the cutoff survives.
        index.put_tag(repo, "v1", {top.str(), "application/vnd.oci.image.index.v1+json", hours_from_now(2)});
        index.put_tag(repo, "old", {m2.str(), oci, 0});
        index.record_accesses({{m3.str(), 1, hours_from_now(2)}});

        const auto report = collect_metadata_garbage(index, hours_from_now(1));
        CHECK(report.tags == 1);
        CHECK(report.manifests == 1);
        CHECK(report.references == 1);
        CHECK(index.tag(repo, "v1"));
        CHECK_FALSE(index.tag(repo, "old"));
        CHECK(index.manifest(top));
        CHECK(index.manifest(m1));  // reached through the index
        CHECK(index.manifest(m3));  // served recently
        CHECK_FALSE(index.manifest(m2));
        CHECK(index.referrers(sha256_of("a")).empty());
        CHECK(index.referrers(sha256_of("c")) == std::vector<std::string>{m1.str()});

        const auto again = collect_metadata_garbage(index, hours_from_now(1));
        CHECK(again.tags + again.manifests + again.references == 0);
        // Three hours ahead everything has expired, the fresh tag too.
        const auto later = collect_metadata_garbage(index, hours_from_now(3));
        CHECK(later.tags == 1);
        CHECK(later.manifests == 3);
        CHECK_FALSE(index.manifest(top));
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("metadata GC expires referrers lists fetched before the cutoff") {
    const auto dir = std::filesystem::temp_directory_path() / ("strata-gc-referrers-" + std::to_string(::getpid()));
    {
        metadata_index index(dir);
        const repository_key repo{"ghcr.io", "org/app"};
        const auto fresh = sha256_of("fresh subject"), old = sha256_of("old subject");
        const std::string empty = R"({"manifests":[]})";
        const auto later = hours_from_now(2);
        index.put_referrers(repo, fresh, {empty, later});
        index.put_referrers(repo, old, {empty, 0});
        const auto read = index.referrers_of(repo, fresh);
        REQUIRE(read);
        CHECK(read->index == empty);
        CHECK(read->fetched_at_ns == later);
        CHECK_FALSE(index.referrers_of({"ghcr.io", "org/other"}, fresh));

        const auto report = collect_metadata_garbage(index, hours_from_now(1));
        CHECK(report.referrers == 1);
        CHECK(index.referrers_of(repo, fresh));
        CHECK_FALSE(index.referrers_of(repo, old));
    }
    std::filesystem::remove_all(dir);
}

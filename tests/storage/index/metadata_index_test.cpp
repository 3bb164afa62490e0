// Tests of the RocksDB metadata index: round trips, references and persistence.
#include "storage/index/metadata_index.hpp"

#include "tests/catch_result.hpp"

#include <unistd.h>

#include <filesystem>

using namespace strata::storage;
using namespace std::string_literals;
namespace fs = std::filesystem;

TEST_CASE("metadata_index round-trips records and survives reopening") {
    const auto dir = fs::temp_directory_path() / ("strata-index-test-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const auto m = sha256_of("manifest");
    const auto layer = sha256_of("layer");
    const repository_key repo{"ghcr.io", "org/app"};
    {
        metadata_index index(dir);
        CHECK_FALSE(index.manifest(m));
        CHECK_FALSE(index.tag(repo, "v1"));
        const std::string body = "{\"a\":\n1}\n\0binary"s;
        index.put_manifest(m, "application/vnd.oci.image.manifest.v1+json", body, repo, {layer});
        index.put_tag(repo, "v1", {m.str(), "application/vnd.oci.image.manifest.v1+json", 42});
        index.put_blob(layer, {6000000000ull, "application/octet-stream", 1, 2, 0});
        index.record_accesses({{layer.str(), 3, 99}, {sha256_of("absent").str(), 1, 5}});
    }
    metadata_index index(dir);
    auto manifest = index.manifest(m);
    REQUIRE(manifest);
    CHECK(manifest->body == "{\"a\":\n1}\n\0binary"s);
    auto tag = index.tag(repo, "v1");
    REQUIRE(tag);
    CHECK(tag->digest == m.str());
    CHECK(tag->fetched_at_ns == 42);
    CHECK_FALSE(index.tag({"docker.io", "org/app"}, "v1"));
    auto blob = index.blob(layer);
    REQUIRE(blob);
    CHECK(blob->size == 6000000000ull);
    CHECK(blob->hits == 3);
    CHECK(blob->last_access_ns == 99);
    CHECK_FALSE(index.blob(sha256_of("absent")));
    CHECK(index.referrers(layer) == std::vector<std::string>{m.str()});
    fs::remove_all(dir);
}

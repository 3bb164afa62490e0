// Tests of the store check (start-up and `strata fsck`) over blobs of both digest algorithms.
#include "storage/blobs/store_check.hpp"
#include "tests/temp_dir.hpp"

#include "tests/catch_result.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace strata::storage;
namespace fs = std::filesystem;

namespace {

// Commits bytes under d, whatever they hash to: how damage on disk looks.
void commit_as(const blob_store& store, const digest& d, std::string_view bytes) {
    auto temp = store.create_temp();
    REQUIRE(temp);
    REQUIRE(::write(temp->fd.get(), bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    REQUIRE(store.commit(*temp, d));
}

constexpr auto sha512_algorithm = digest_algorithm::sha512;

}  // namespace

TEST_CASE("store check keeps sha512 and sha256 blobs under their own directories") {
    strata::test::temp_dir dir;
    blob_store store(dir.path);
    metadata_index index(dir.path / "index");
    const auto a = sha256_of("layer a"), b = digest_of("layer b", sha512_algorithm);
    commit_as(store, a, "layer a");
    commit_as(store, b, "layer b");
    CHECK(store.path_of(b) == dir.path / "blobs" / "sha512" / std::string(b.hex().substr(0, 2)) / std::string(b.hex()));
    index.put_blob(a, {7, "", 1, 1, 0});
    index.put_blob(b, {7, "", 1, 1, 0});

    const auto report = check_store(store, index, {.verify_hashes = true});
    CHECK(report.files == 2);
    CHECK(report.bytes_hashed == 14);
    CHECK_FALSE(report.damaged());
    CHECK(store.contains(a));
    CHECK(store.contains(b));
}

TEST_CASE("store check re-hashes a sha512 blob in sha512: damage is found and repaired") {
    strata::test::temp_dir dir;
    blob_store store(dir.path);
    metadata_index index(dir.path / "index");
    const auto good = digest_of("good", sha512_algorithm), bad = digest_of("bad", sha512_algorithm), orphan = digest_of("orphan", sha512_algorithm);
    commit_as(store, good, "good");
    commit_as(store, bad, "not bad");     // indexed, wrong bytes
    commit_as(store, orphan, "nobody");   // unindexed, wrong bytes
    index.put_blob(good, {4, "", 1, 1, 0});
    index.put_blob(bad, {7, "", 1, 1, 0});
    std::ofstream(dir.path / "blobs" / "sha512" / "stray") << "x";
    // A sha256-length name under sha512/ is not a sha512 blob.
    fs::create_directories(dir.path / "blobs" / "sha512" / "ab");
    std::ofstream(dir.path / "blobs" / "sha512" / "ab" / ("ab" + std::string(62, '0'))) << "x";

    auto report = check_store(store, index, {.verify_hashes = true, .repair = false});
    CHECK(report.corrupt == 1);
    CHECK(report.orphan_files == 1);
    CHECK(report.stray_files == 2);
    CHECK(store.contains(bad));

    report = check_store(store, index, {.verify_hashes = true});
    CHECK(report.repaired);
    CHECK_FALSE(store.contains(bad));
    CHECK_FALSE(store.contains(orphan));
    CHECK(store.contains(good));
    CHECK_FALSE(index.blob(bad));
    CHECK_FALSE(check_store(store, index, {.verify_hashes = true}).damaged());
}

TEST_CASE("an unindexed sha512 file whose bytes match its name is adopted") {
    strata::test::temp_dir dir;
    blob_store store(dir.path);
    metadata_index index(dir.path / "index");
    const auto d = digest_of("adopt me", sha512_algorithm);
    commit_as(store, d, "adopt me");
    const auto report = check_store(store, index, {});
    CHECK(report.adopted == 1);
    const auto record = index.blob(d);
    REQUIRE(record);
    CHECK(record->size == 8);
}

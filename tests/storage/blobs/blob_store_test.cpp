// Tests of the content-addressed blob store: layout, commit, discard and crash leftovers.
#include "storage/blobs/blob_store.hpp"
#include "tests/temp_dir.hpp"

#include "tests/catch_result.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace strata::storage;
namespace fs = std::filesystem;

TEST_CASE("blob_store commits a verified temp file under blobs/sha256/ab/<hex>") {
    strata::test::temp_dir root;
    blob_store store(root.path);
    const auto d = sha256_of("hello");
    CHECK_FALSE(store.contains(d));
    CHECK(store.open(d).error() == strata::errc::blob_unknown);

    auto temp = store.create_temp();
    REQUIRE(temp);
    REQUIRE(::write(temp->fd.get(), "hello", 5) == 5);
    REQUIRE(store.commit(*temp, d));
    CHECK(store.path_of(d) == root.path / "blobs" / "sha256" / std::string(d.hex().substr(0, 2)) / std::string(d.hex()));
    CHECK(store.contains(d));
    auto blob = store.open(d);
    REQUIRE(blob);
    CHECK(blob->size == 5);
    CHECK(fs::is_empty(root.path / "tmp"));
}

TEST_CASE("blob_store discard removes the temp file and stores nothing") {
    strata::test::temp_dir root;
    blob_store store(root.path);
    auto temp = store.create_temp();
    REQUIRE(temp);
    REQUIRE(fs::exists(temp->path));
    const auto path = temp->path;
    store.discard(*temp);
    CHECK_FALSE(fs::exists(path));
    CHECK(fs::is_empty(root.path / "tmp"));
}

TEST_CASE("blob_store removes temp files left by a previous process") {
    strata::test::temp_dir root;
    { blob_store store(root.path); }
    std::ofstream(root.path / "tmp" / "fetch-leftover") << "partial";
    blob_store reopened(root.path);
    CHECK(fs::is_empty(root.path / "tmp"));
}

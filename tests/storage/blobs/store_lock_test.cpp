// Tests of the data directory lock: one holder, the holder named, released with its holder.
#include "storage/blobs/store_lock.hpp"
#include "tests/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>
#include <optional>

using namespace strata::storage;

TEST_CASE("a second lock on a data directory names the holder's pid, and succeeds once it is gone") {
    strata::test::temp_dir dir;
    const auto data = dir.path / "data";  // created by the lock
    std::optional<store_lock> first(std::in_place, data);
    std::string pid;
    std::ifstream(data / "strata.pid") >> pid;
    CHECK(pid == std::to_string(::getpid()));
    try {
        store_lock second(data);
        FAIL("a second lock was granted");
    } catch (const store_in_use& e) {
        CHECK(e.holder() == ::getpid());
        CHECK(std::string(e.what()) == "strata is already running on this data directory (" + data.string() +
                                           ", pid " + std::to_string(::getpid()) + ")");
    }
    first.reset();
    CHECK_NOTHROW(store_lock(data));
}

TEST_CASE("a data directory that cannot be made is named in the error") {
    strata::test::temp_dir dir;
    std::ofstream(dir.path / "file") << "x";
    CHECK_THROWS_WITH(store_lock(dir.path / "file" / "data"),
                      Catch::Contains("cannot create the data directory " + (dir.path / "file" / "data").string()));
}

// Tests of access statistics batching into the index.
#include "proxy/observe/access_recorder.hpp"

#include "tests/catch_result.hpp"
#include "tests/temp_dir.hpp"

#include <thread>

using namespace strata;

namespace {

// One blob in a fresh index, and a recorder of accesses to it.
struct recorded_blob {
    test::temp_dir dir;
    storage::metadata_index index{dir.path};
    storage::digest d;
    proxy::asio::thread_pool pool{1};
    proxy::access_recorder recorder{index, pool};

    explicit recorded_blob(std::string_view content) : d(storage::sha256_of(content)) {
        index.put_blob(d, {10, "application/vnd.oci.image.layer.v1.tar+gzip", 1, 1, 0});
    }
    ~recorded_blob() { pool.join(); }
};

}  // namespace

TEST_CASE("access_recorder adds hits and last access to indexed blobs in one batch") {
    recorded_blob b("blob");
    auto& [dir, index, d, pool, recorder] = b;
    recorder.record(d.str());
    recorder.record(d.str());
    recorder.record(storage::sha256_of("not indexed").str());
    CHECK(recorder.flush_now() == 2);
    CHECK(recorder.flush_now() == 0);
    auto record = index.blob(d);
    REQUIRE(record);
    CHECK(record->hits == 2);
    CHECK(record->last_access_ns > 1);
    CHECK(record->first_access_ns == 1);
    CHECK_FALSE(index.blob(storage::sha256_of("not indexed")));

    recorder.record(d.str());
    proxy::asio::io_context io;
    std::size_t written = 0;
    proxy::asio::co_spawn(io, recorder.flush(), [&](std::exception_ptr, std::size_t n) { written = n; });
    io.run();
    CHECK(written == 1);
    CHECK(index.blob(d)->hits == 3);
}

TEST_CASE("access_recorder adds up one blob's hits recorded on several threads") {
    recorded_blob b("shared blob");
    b.recorder.record(b.d.str());
    std::thread([&] {
        b.recorder.record(b.d.str());
        b.recorder.record(b.d.str());
    }).join();
    CHECK(b.recorder.flush_now() == 1);  // one update for the digest, not one per thread
    CHECK(b.index.blob(b.d)->hits == 3);
}

// Tests of access statistics batching into the index.
#include "proxy/observe/access_recorder.hpp"

#include "tests/catch_result.hpp"

#include <unistd.h>

#include <filesystem>
#include <thread>

using namespace strata;

TEST_CASE("access_recorder adds hits and last access to indexed blobs in one batch") {
    const auto dir = std::filesystem::temp_directory_path() / ("strata-access-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    {
        storage::metadata_index index(dir);
        const auto d = storage::sha256_of("blob");
        index.put_blob(d, {10, "application/vnd.oci.image.layer.v1.tar+gzip", 1, 1, 0});
        proxy::asio::thread_pool pool(1);
        proxy::access_recorder recorder(index, pool);
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
        pool.join();
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("access_recorder adds up one blob's hits recorded on several threads") {
    const auto dir = std::filesystem::temp_directory_path() / ("strata-access-threads-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    {
        storage::metadata_index index(dir);
        const auto d = storage::sha256_of("shared blob");
        index.put_blob(d, {10, "application/octet-stream", 1, 1, 0});
        proxy::asio::thread_pool pool(1);
        proxy::access_recorder recorder(index, pool);
        recorder.record(d.str());
        std::thread([&] {
            recorder.record(d.str());
            recorder.record(d.str());
        }).join();
        CHECK(recorder.flush_now() == 1);  // one update for the digest, not one per thread
        CHECK(index.blob(d)->hits == 3);
        pool.join();
    }
    std::filesystem::remove_all(dir);
}

// access_recorder: batches blob and manifest hit statistics and writes them to the index.
#pragma once

#include "proxy/net.hpp"
#include "proxy/thread_shards.hpp"
#include "storage/index/metadata_index.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace strata::proxy {

// record() is called on the hot path and only touches memory; flush() writes what
// accumulated to the index in one batch on the blocking pool. Thread-safe.
class access_recorder {
public:
    access_recorder(storage::metadata_index& index, asio::thread_pool& blocking)
        : index_(index), blocking_(blocking) {}

    void record(const std::string& digest);
    // Writes the pending updates on the blocking pool; returns how many digests were written.
    awaitable<std::size_t> flush();
    // The same, on the calling thread (at shutdown, after the pools stopped).
    std::size_t flush_now();
    // Flushes every interval until the executor stops.
    awaitable<void> run(std::chrono::milliseconds interval);

private:
    std::vector<storage::access_update> take_pending();

    storage::metadata_index& index_;
    asio::thread_pool& blocking_;
    thread_shards<std::map<std::string, storage::access_update>> pending_;
};

}  // namespace strata::proxy

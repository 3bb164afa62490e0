// blob_fetch: one upstream download of a blob into a temp file that any number of clients follow.
#pragma once

#include "proxy/net.hpp"
#include "storage/blobs/blob_store.hpp"
#include "storage/oci/error.hpp"

#include <boost/asio/experimental/concurrent_channel.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace strata::proxy {

// Wakes one follower whenever the fetch makes progress. Holds at most one pending
// wake-up, so a fast producer never queues work for a slow follower.
using progress_channel = asio::experimental::concurrent_channel<void(error_code)>;

// Shared state of a fetch in flight. The fetching coroutine is the only writer; followers
// read snapshots and the temp file's bytes [0, written). Thread-safe.
class blob_fetch {
public:
    enum class phase { connecting, streaming, committed, failed };

    struct snapshot {
        phase state = phase::connecting;
        std::uint64_t written = 0;
        std::optional<std::uint64_t> size;  // known once streaming, if upstream sent a length
        errc error = errc::ok;
        std::int64_t upstream_ns = 0;  // download time, once committed or failed
    };

    // A download of d through `repository` (which the upstream vouches for by answering).
    blob_fetch(storage::digest d, std::string repository)
        : digest_(std::move(d)), repository_(std::move(repository)), started_(std::chrono::steady_clock::now()) {}

    const storage::digest& digest() const noexcept { return digest_; }
    const std::string& repository() const noexcept { return repository_; }
    snapshot state() const;
    // Descriptor of the file being written (later the committed blob). Valid from the
    // streaming phase until this object is destroyed.
    int fd() const noexcept { return file_.fd.get(); }

    // Registers a follower; the channel gets a wake-up after every state change.
    std::shared_ptr<progress_channel> subscribe(const asio::any_io_executor& executor);
    // True once someone subscribed and every subscriber has since gone.
    bool abandoned() const;

    // Producer side (the fetching coroutine only).
    void start_streaming(storage::temp_blob file, std::optional<std::uint64_t> size);
    // Wakes followers on the first bytes, then once at least notify_step new bytes are on disk
    // (and on every phase change), so a herd of followers is not woken for every small read,
    // and a follower waiting for a stalled upstream still has the bytes that came before.
    void add_written(std::uint64_t n);
    static constexpr std::uint64_t notify_step = 512 * 1024;
    void finish(errc outcome);
    storage::temp_blob& file() noexcept { return file_; }

private:
    void notify_locked();

    storage::digest digest_;
    std::string repository_;
    std::chrono::steady_clock::time_point started_;
    mutable std::mutex mutex_;
    snapshot state_;
    storage::temp_blob file_;
    std::uint64_t notified_written_ = 0;
    std::vector<std::weak_ptr<progress_channel>> followers_;
};

}  // namespace strata::proxy

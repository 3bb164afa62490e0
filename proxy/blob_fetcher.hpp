// blob_fetcher: starts at most one upstream download per blob digest and lets requests join it.
#pragma once

#include "proxy/blob_fetch.hpp"
#include "proxy/metrics.hpp"
#include "proxy/route.hpp"
#include "proxy/upstream_set.hpp"
#include "storage/cache_evictor.hpp"
#include "storage/metadata_index.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <variant>

namespace strata::proxy {

// Coalesces concurrent misses: the first request for an uncached digest starts a download
// on its own strand, later ones join it. The download runs to completion even if every
// client has gone (unless complete_abandoned is false), then commits the blob only if its
// sha256 matches. Thread-safe.
class blob_fetcher {
public:
    blob_fetcher(asio::io_context& io, asio::thread_pool& blocking, upstream_set& upstreams,
                 storage::blob_store& store, storage::metadata_index& index, storage::cache_evictor& evictor,
                 bool complete_abandoned, metrics& m);

    // Either the committed blob (already cached) or the fetch in flight for it.
    using acquired = std::variant<storage::open_blob, std::shared_ptr<blob_fetch>>;
    // *started is set true when this call started the download (false when it joined one).
    result<acquired> acquire(const route& r, const storage::digest& d, bool* started = nullptr);

    // Number of downloads currently running.
    std::size_t in_flight() const;
    // Deletes a cached blob's file and index entry unless a download of it is running. The
    // evictor's remover; runs on the blocking pool.
    bool remove_cached(const storage::digest& d);
    // Called on the blocking pool after each commit (the proxy checks its watermark there).
    void on_commit(std::function<void()> hook) { on_commit_ = std::move(hook); }
    // Called on an I/O thread when a write failed for lack of space, with the bytes the
    // failed blob needed; the proxy evicts to make room for a retry.
    void on_disk_full(std::function<void(std::uint64_t)> hook) { on_disk_full_ = std::move(hook); }

private:
    awaitable<void> run(std::shared_ptr<blob_fetch> fetch, route r);
    awaitable<errc> download(blob_fetch& fetch, const route& r);
    awaitable<errc> commit(blob_fetch& fetch);
    void forget(const blob_fetch& fetch);
    void wait_for_removal(const storage::digest& d);

    asio::io_context& io_;
    asio::thread_pool& blocking_;
    upstream_set& upstreams_;
    storage::blob_store& store_;
    storage::metadata_index& index_;
    bool complete_abandoned_;
    metrics& metrics_;
    storage::cache_evictor& evictor_;
    std::function<void()> on_commit_;
    std::function<void(std::uint64_t)> on_disk_full_;
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<blob_fetch>> in_flight_;
    std::set<std::string> removing_;  // digests remove_cached is deleting right now
    std::condition_variable removed_;
};

}  // namespace strata::proxy

// blob_fetcher: starts at most one upstream download per blob digest and lets requests join it.
#pragma once

#include "proxy/registry/blob_fetch.hpp"
#include "proxy/observe/metrics.hpp"
#include "proxy/protocol/route.hpp"
#include "proxy/upstream/upstream_set.hpp"
#include "storage/eviction/cache_evictor.hpp"
#include "storage/index/metadata_index.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <map>
#include <optional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <variant>

namespace strata::proxy {

// Bounds on downloads.
struct fetch_limits {
    bool complete_abandoned = true;            // finish a download after its last client left
    std::uint64_t max_blob_bytes = 64ull << 30;  // refuse larger announced lengths before writing
    std::size_t max_downloads_per_upstream = 32;  // downloads at once per upstream; later ones queue
};

// Coalesces concurrent misses: the first request for an uncached digest through an upstream
// starts a download on its own strand, later ones through the same upstream join it. The
// download runs to completion even if every client has gone (unless complete_abandoned is
// false), then commits the blob only if its sha256 matches. Before writing, an announced length
// must fit max_blob_bytes and the size a cached manifest gives the blob, and only the empty
// blob may be empty. Thread-safe.
class blob_fetcher {
public:
    blob_fetcher(asio::io_context& io, asio::thread_pool& blocking, upstream_set& upstreams,
                 storage::blob_store& store, storage::metadata_index& index, storage::cache_evictor& evictor,
                 const fetch_limits& limits, metrics& m);

    // Either the committed blob (already cached) or the fetch in flight for it.
    using acquired = std::variant<storage::open_blob, std::shared_ptr<blob_fetch>>;
    // *started is set true when this call started the download (false when it joined one).
    result<acquired> acquire(const route& r, const storage::digest& d, bool* started = nullptr);

    // The repository a running download of d through upstream was started for, if one runs
    // (a request may join it).
    std::optional<std::string> joinable(const storage::digest& d, const std::string& upstream) const;
    // True for ten minutes after a download of d through upstream did not match its digest: a
    // range of it is then never passed through unverified (at most 4096 remembered).
    bool sent_wrong_bytes(const storage::digest& d, const std::string& upstream) const;
    // Number of downloads currently running.
    std::size_t in_flight() const;
    // Deletes a cached blob's file and index entry unless a download of it is running. The
    // evictor's remover; runs on the blocking pool.
    bool remove_cached(const storage::digest& d);
    // Called on the blocking pool after each commit (the proxy checks its watermark there).
    void on_commit(std::function<void()> hook) { on_commit_ = std::move(hook); }
    // Called on an I/O thread when a write failed for lack of space, with the bytes the failed
    // blob needs in all (its announced length, already bounded by max_blob_bytes and its
    // descriptor) and the bytes of it that fitted before the disk filled; the proxy evicts the
    // difference.
    void on_disk_full(std::function<void(std::uint64_t needed, std::uint64_t fitted)> hook) {
        on_disk_full_ = std::move(hook);
    }
    // Where each new download runs (hashing, TLS, file writes): by default a strand of the
    // io_context given at construction; strata serve spreads them over its network threads.
    void run_downloads_on(std::function<asio::any_io_executor()> pick) { pick_executor_ = std::move(pick); }

private:
    // A counting semaphore: a send takes a slot (waiting while all are taken), a receive frees one.
    using download_slots = asio::experimental::concurrent_channel<void(error_code)>;

    awaitable<void> run(std::shared_ptr<blob_fetch> fetch, route r, std::string key);
    awaitable<errc> download(blob_fetch& fetch, const route& r);
    awaitable<errc> commit(blob_fetch& fetch, const route& r);
    errc check_length(const storage::digest& d, std::optional<std::uint64_t> announced,
                      std::optional<std::uint64_t> described, const route& r) const;
    download_slots& slots_for(const std::string& upstream);
    void forget(const std::string& key);
    void wait_for_removal(const storage::digest& d);
    void remember_mismatch(const std::string& key);

    asio::io_context& io_;
    std::function<asio::any_io_executor()> pick_executor_;
    asio::thread_pool& blocking_;
    upstream_set& upstreams_;
    storage::blob_store& store_;
    storage::metadata_index& index_;
    bool complete_abandoned_;
    std::uint64_t max_blob_bytes_;
    std::size_t max_downloads_;
    metrics& metrics_;
    storage::cache_evictor& evictor_;
    std::function<void()> on_commit_;
    std::function<void(std::uint64_t, std::uint64_t)> on_disk_full_;
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<blob_fetch>> in_flight_;  // by flight_key(digest, upstream)
    std::map<std::string, std::chrono::steady_clock::time_point> mismatched_;  // flight key -> until
    std::mutex slots_mutex_;
    std::map<std::string, std::unique_ptr<download_slots>> slots_;  // by upstream name
    std::set<std::string> removing_;  // digests remove_cached is deleting right now
    std::condition_variable removed_;
};

}  // namespace strata::proxy

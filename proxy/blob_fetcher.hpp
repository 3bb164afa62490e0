// blob_fetcher: starts at most one upstream download per blob digest and lets requests join it.
#pragma once

#include "proxy/blob_fetch.hpp"
#include "proxy/route.hpp"
#include "proxy/upstream_set.hpp"
#include "storage/metadata_index.hpp"

#include <map>
#include <memory>
#include <mutex>
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
                 storage::blob_store& store, storage::metadata_index& index, bool complete_abandoned);

    // Either the committed blob (already cached) or the fetch in flight for it.
    using acquired = std::variant<storage::open_blob, std::shared_ptr<blob_fetch>>;
    result<acquired> acquire(const route& r, const storage::digest& d);

    // Number of downloads currently running.
    std::size_t in_flight() const;

private:
    awaitable<void> run(std::shared_ptr<blob_fetch> fetch, route r);
    awaitable<errc> download(blob_fetch& fetch, const route& r);
    awaitable<errc> commit(blob_fetch& fetch);
    void forget(const blob_fetch& fetch);

    asio::io_context& io_;
    asio::thread_pool& blocking_;
    upstream_set& upstreams_;
    storage::blob_store& store_;
    storage::metadata_index& index_;
    bool complete_abandoned_;
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<blob_fetch>> in_flight_;
};

}  // namespace strata::proxy

// blob_fetcher: the download coroutine (stream, hash, write, verify, commit) and its registry.
#include "proxy/registry/blob_fetcher.hpp"

#include "proxy/protocol/upstream_status.hpp"
#include "proxy/registry/blob_tee.hpp"
#include "proxy/blocking.hpp"
#include "storage/clock.hpp"
#include "storage/oci/manifest.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>

namespace strata::proxy {
namespace {

constexpr std::size_t chunk_size = 1 << 20;

errc write_all(int fd, const char* data, std::size_t n) {
    while (n > 0) {
        const auto w = ::write(fd, data, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == ENOSPC || errno == EDQUOT)) return errc::storage_full;
        if (w <= 0) return errc::storage_failed;
        data += w;
        n -= static_cast<std::size_t>(w);
    }
    return errc::ok;
}

// The descriptor a cached manifest gives the blob (its media type and size), if any does.
std::optional<storage::descriptor> cached_descriptor(const storage::metadata_index& index,
                                                     const storage::digest& blob) {
    for (const auto& referrer : index.referrers(blob)) {
        auto manifest_digest = storage::digest::parse(referrer);
        if (!manifest_digest) continue;
        auto record = index.manifest(*manifest_digest);
        if (!record) continue;
        auto parsed = storage::parse_manifest(record->body, record->media_type);
        if (!parsed) continue;
        for (auto& child : parsed->children)
            if (child.digest_value == blob) return std::move(child);
    }
    return std::nullopt;
}

// The key of a download in flight: one per digest and upstream, so a request through one
// upstream never waits on (or is failed by) another upstream's download of the same digest.
std::string flight_key(const storage::digest& d, const std::string& upstream) { return d.str() + "|" + upstream; }

// The hash of no bytes: the only blob whose body may be empty.
bool is_empty_blob(const storage::digest& d) { return d == storage::digest_of({}, d.algorithm()); }

}  // namespace

blob_fetcher::blob_fetcher(asio::io_context& io, asio::thread_pool& blocking, upstream_set& upstreams,
                           storage::blob_store& store, storage::metadata_index& index,
                           storage::cache_evictor& evictor, const fetch_limits& limits, metrics& m)
    : io_(io), blocking_(blocking), upstreams_(upstreams), store_(store), index_(index),
      complete_abandoned_(limits.complete_abandoned), max_blob_bytes_(limits.max_blob_bytes),
      max_downloads_(limits.max_downloads_per_upstream), metrics_(m), evictor_(evictor) {}

// The disk work happens outside the lock: an unlink can wait on the filesystem journal for
// milliseconds while fetches fsync, and acquire() runs on I/O threads. A download of the same
// digest that starts meanwhile waits in commit() until the removal is done.
bool blob_fetcher::remove_cached(const storage::digest& d) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = in_flight_.lower_bound(d.str() + "|"); it != in_flight_.end() && it->first.starts_with(d.str() + "|"))
            return false;
        removing_.insert(d.str());
    }
    index_.erase_blob(d);
    store_.remove(d);
    {
        std::lock_guard lock(mutex_);
        removing_.erase(d.str());
    }
    removed_.notify_all();
    return true;
}

void blob_fetcher::wait_for_removal(const storage::digest& d) {
    std::unique_lock lock(mutex_);
    removed_.wait(lock, [&] { return !removing_.count(d.str()); });
}

result<blob_fetcher::acquired> blob_fetcher::acquire(const route& r, const storage::digest& d, bool* started) {
    std::lock_guard lock(mutex_);
    if (started) *started = false;
    const auto key = flight_key(d, r.upstream->name);
    if (auto it = in_flight_.find(key); it != in_flight_.end()) return acquired{it->second};
    // Checked under the lock: a fetch renames its file before it leaves in_flight_, so a
    // digest is always either committed or joinable here.
    if (auto blob = store_.open(d)) return acquired{std::move(*blob)};
    auto fetch = std::make_shared<blob_fetch>(d, r.repository);
    in_flight_.emplace(key, fetch);
    if (started) *started = true;
    auto executor = pick_executor_ ? pick_executor_() : asio::any_io_executor(asio::make_strand(io_));
    asio::co_spawn(executor, run(fetch, r, key), asio::detached);
    return acquired{fetch};
}

std::optional<std::string> blob_fetcher::joinable(const storage::digest& d, const std::string& upstream) const {
    std::lock_guard lock(mutex_);
    const auto it = in_flight_.find(flight_key(d, upstream));
    if (it == in_flight_.end()) return std::nullopt;
    return it->second->repository();
}

std::size_t blob_fetcher::in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_.size();
}

void blob_fetcher::forget(const std::string& key) {
    std::lock_guard lock(mutex_);
    in_flight_.erase(key);
}

blob_fetcher::download_slots& blob_fetcher::slots_for(const std::string& upstream) {
    // Its own lock: run() may start inline inside acquire(), which holds mutex_.
    std::lock_guard lock(slots_mutex_);
    auto& slots = slots_[upstream];
    if (!slots) slots = std::make_unique<download_slots>(io_.get_executor(), std::max<std::size_t>(1, max_downloads_));
    return *slots;
}

awaitable<void> blob_fetcher::run(std::shared_ptr<blob_fetch> fetch, route r, std::string key) {
    errc outcome = errc::storage_failed;
    try {
        // At most max_downloads_ downloads per upstream; the rest queue here, still joinable.
        auto& slots = slots_for(r.upstream->name);
        co_await slots.async_send(error_code{}, asio::as_tuple(asio::use_awaitable));
        struct slot_release {
            download_slots& slots;
            ~slot_release() { slots.try_receive([](error_code) {}); }
        } release{slots};
        outcome = co_await download(*fetch, r);
        if (outcome == errc::ok) outcome = co_await commit(*fetch, r);
    } catch (const std::exception& e) {
        spdlog::error("blob fetch failed digest={} error=\"{}\"", fetch->digest().str(), e.what());
    }
    if (outcome != errc::ok) store_.discard(fetch->file());
    if (outcome == errc::digest_mismatch) remember_mismatch(key);
    if (outcome == errc::storage_full && on_disk_full_) {
        const auto s = fetch->state();
        on_disk_full_(s.size.value_or(s.written), s.written);
    }
    fetch->finish(outcome);
    forget(key);
}

void blob_fetcher::remember_mismatch(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (mismatched_.size() >= 4096) mismatched_.clear();  // bounded; forgetting only allows a pass-through again
    mismatched_[key] = std::chrono::steady_clock::now() + std::chrono::minutes(10);
}

bool blob_fetcher::sent_wrong_bytes(const storage::digest& d, const std::string& upstream) const {
    std::lock_guard lock(mutex_);
    const auto it = mismatched_.find(flight_key(d, upstream));
    return it != mismatched_.end() && std::chrono::steady_clock::now() < it->second;
}

// What the upstream may send for d: at most storage.max_blob_bytes, exactly the size a cached
// manifest's descriptor gives, and nothing for any digest but the empty blob's.
errc blob_fetcher::check_length(const storage::digest& d, std::optional<std::uint64_t> announced,
                                std::optional<std::uint64_t> described, const route& r) const {
    if (!announced) return errc::ok;
    if (*announced == 0 && !is_empty_blob(d)) {
        spdlog::warn("blob fetch refused upstream={} digest={} reason=\"empty body for a non-empty digest\"",
                     r.upstream->name, d.str());
        return errc::upstream_truncated;
    }
    if (*announced > max_blob_bytes_ || (described && *announced > *described)) {
        spdlog::warn("blob fetch refused upstream={} digest={} announced={} descriptor_size={} max_blob_bytes={}",
                     r.upstream->name, d.str(), *announced, described ? std::to_string(*described) : "unknown",
                     max_blob_bytes_);
        return errc::blob_too_large;
    }
    return errc::ok;
}

awaitable<errc> blob_fetcher::download(blob_fetch& fetch, const route& r) {
    auto& client = upstreams_.client(*r.upstream);
    auto lookup = [this, d = fetch.digest()]() -> std::optional<std::uint64_t> {
        if (auto desc = cached_descriptor(index_, d)) return desc->size;
        return std::nullopt;
    };
    const auto described = co_await run_blocking(blocking_, std::move(lookup));
    const auto target = "/v2/" + r.repository + "/blobs/" + fetch.digest().str();
    auto stream = co_await client.open(target, {}, r.repository);
    if (!stream) co_return to_errc(stream.error());
    if (stream->status() != 200) co_return upstream_failure(stream->status(), "", object_kind::blob);
    if (const auto bad = check_length(fetch.digest(), stream->content_length(), described, r); bad != errc::ok)
        co_return bad;
    const auto limit = std::min(max_blob_bytes_, described.value_or(max_blob_bytes_));

    auto file = store_.create_temp();
    if (!file) co_return to_errc(file.error());
    const int fd = file->fd.get();
    const auto size = stream->content_length();
    fetch.start_streaming(std::move(*file), size);

    blob_tee tee(fetch.digest(), size, limit);
    std::unique_ptr<char[]> buffer(new char[chunk_size]);
    std::uint64_t written = 0;
    for (;;) {
        error_code ec;
        const auto n = co_await stream->read(buffer.get(), chunk_size, ec);
        if (ec) {
            spdlog::warn("blob fetch truncated upstream={} digest={} after={} error=\"{}\"", r.upstream->name,
                         fetch.digest().str(), written, ec.message());
            co_return errc::upstream_truncated;
        }
        if (n == 0) break;
        if (tee.feed(buffer.get(), n) != errc::ok) {  // a body without a length that runs past what the blob can be
            spdlog::warn("blob fetch refused upstream={} digest={} reason=\"body longer than {} bytes\"",
                         r.upstream->name, fetch.digest().str(), limit);
            co_return errc::blob_too_large;
        }
        // Page-cache writes of one chunk: cheap enough for the I/O thread; fsync is not.
        if (const auto wrote = write_all(fd, buffer.get(), n); wrote != errc::ok) {
            spdlog::error("blob fetch cannot write digest={} after={} error=\"{}\"", fetch.digest().str(), written,
                          make_error_code(wrote).message());
            co_return wrote;
        }
        written += n;
        fetch.add_written(n);
        if (!complete_abandoned_ && fetch.abandoned()) {
            spdlog::info("blob fetch abandoned upstream={} digest={} after={}", r.upstream->name, fetch.digest().str(),
                         written);
            co_return errc::upstream_truncated;
        }
    }
    const auto verdict = tee.finish();
    if (verdict == errc::digest_mismatch) {
        spdlog::warn("blob digest mismatch upstream={} repo={} digest={}", r.upstream->name, r.repository,
                     fetch.digest().str());
        metrics_.digest_mismatch(r.upstream->name);
    }
    co_return verdict;
}

awaitable<errc> blob_fetcher::commit(blob_fetch& fetch, const route& r) {
    const auto written = fetch.state().written;
    auto work = [this, &fetch, written, repo = storage::repository_key{r.upstream->name, r.repository}] {
        // No removal of this digest can start while it is in flight; one begun earlier must end
        // before the new file takes the path.
        wait_for_removal(fetch.digest());
        if (!store_.commit(fetch.file(), fetch.digest())) return errc::storage_failed;
        const auto now = storage::now_ns();
        const auto existing = index_.blob(fetch.digest());
        auto record = existing.value_or(storage::blob_record{written, "", now, now, 0});
        record.size = written;
        if (record.media_type.empty())
            if (auto desc = cached_descriptor(index_, fetch.digest())) record.media_type = desc->media_type;
        index_.put_blob(fetch.digest(), record);
        index_.put_link(fetch.digest(), repo, storage::repository_link{true, now});
        evictor_.inserted(fetch.digest(), written);
        if (on_commit_) on_commit_();
        return errc::ok;
    };
    co_return co_await run_blocking(blocking_, std::move(work));
}

}  // namespace strata::proxy

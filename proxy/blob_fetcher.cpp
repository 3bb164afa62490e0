// blob_fetcher: the download coroutine (stream, hash, write, verify, commit) and its registry.
#include "proxy/blob_fetcher.hpp"

#include "proxy/blocking.hpp"
#include "proxy/upstream_status.hpp"
#include "storage/manifest.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

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

// The media type a cached manifest gives the blob in its descriptor, or "" if none does.
std::string descriptor_media_type(const storage::metadata_index& index, const storage::digest& blob) {
    for (const auto& referrer : index.referrers(blob)) {
        auto manifest_digest = storage::digest::parse(referrer);
        if (!manifest_digest) continue;
        auto record = index.manifest(*manifest_digest);
        if (!record) continue;
        auto parsed = storage::parse_manifest(record->body, record->media_type);
        if (!parsed) continue;
        for (const auto& child : parsed->children)
            if (child.digest_value == blob) return child.media_type;
    }
    return {};
}

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

blob_fetcher::blob_fetcher(asio::io_context& io, asio::thread_pool& blocking, upstream_set& upstreams,
                           storage::blob_store& store, storage::metadata_index& index,
                           storage::cache_evictor& evictor, bool complete_abandoned, metrics& m)
    : io_(io), blocking_(blocking), upstreams_(upstreams), store_(store), index_(index),
      complete_abandoned_(complete_abandoned), metrics_(m), evictor_(evictor) {}

// The disk work happens outside the lock: an unlink can wait on the filesystem journal for
// milliseconds while fetches fsync, and acquire() runs on I/O threads. A download of the same
// digest that starts meanwhile waits in commit() until the removal is done.
bool blob_fetcher::remove_cached(const storage::digest& d) {
    {
        std::lock_guard lock(mutex_);
        if (in_flight_.count(d.str())) return false;
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
    if (auto it = in_flight_.find(d.str()); it != in_flight_.end()) return acquired{it->second};
    // Checked under the lock: a fetch renames its file before it leaves in_flight_, so a
    // digest is always either committed or joinable here.
    if (auto blob = store_.open(d)) return acquired{std::move(*blob)};
    auto fetch = std::make_shared<blob_fetch>(d);
    in_flight_.emplace(d.str(), fetch);
    if (started) *started = true;
    asio::co_spawn(asio::make_strand(io_), run(fetch, r), asio::detached);
    return acquired{fetch};
}

std::size_t blob_fetcher::in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_.size();
}

void blob_fetcher::forget(const blob_fetch& fetch) {
    std::lock_guard lock(mutex_);
    in_flight_.erase(fetch.digest().str());
}

awaitable<void> blob_fetcher::run(std::shared_ptr<blob_fetch> fetch, route r) {
    errc outcome = errc::storage_failed;
    try {
        outcome = co_await download(*fetch, r);
        if (outcome == errc::ok) outcome = co_await commit(*fetch);
    } catch (const std::exception& e) {
        spdlog::error("blob fetch failed digest={} error=\"{}\"", fetch->digest().str(), e.what());
    }
    if (outcome != errc::ok) store_.discard(fetch->file());
    fetch->finish(outcome);
    forget(*fetch);
}

awaitable<errc> blob_fetcher::download(blob_fetch& fetch, const route& r) {
    auto& client = upstreams_.client(*r.upstream);
    const auto target = "/v2/" + r.repository + "/blobs/" + fetch.digest().str();
    auto stream = co_await client.open(target, {}, r.repository);
    if (!stream) co_return to_errc(stream.error());
    if (stream->status() != 200) co_return upstream_failure(stream->status(), "", object_kind::blob);

    auto file = store_.create_temp();
    if (!file) co_return to_errc(file.error());
    const int fd = file->fd.get();
    const auto size = stream->content_length();
    fetch.start_streaming(std::move(*file), size);

    storage::sha256_hasher hasher;
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
        hasher.update(buffer.get(), n);
        // Page-cache writes of one chunk: cheap enough for the I/O thread; fsync is not.
        if (const auto wrote = write_all(fd, buffer.get(), n); wrote != errc::ok) {
            spdlog::error("blob fetch cannot write digest={} after={} error=\"{}\"", fetch.digest().str(), written,
                          make_error_code(wrote).message());
            if (wrote == errc::storage_full && on_disk_full_) on_disk_full_(size.value_or(written + n));
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
    if (size && written != *size) co_return errc::upstream_truncated;
    if (hasher.finish() != fetch.digest()) {
        spdlog::warn("blob digest mismatch upstream={} repo={} digest={}", r.upstream->name, r.repository,
                     fetch.digest().str());
        metrics_.digest_mismatch(r.upstream->name);
        co_return errc::digest_mismatch;
    }
    co_return errc::ok;
}

awaitable<errc> blob_fetcher::commit(blob_fetch& fetch) {
    const auto written = fetch.state().written;
    auto work = [this, &fetch, written] {
        // No removal of this digest can start while it is in flight; one begun earlier must end
        // before the new file takes the path.
        wait_for_removal(fetch.digest());
        if (!store_.commit(fetch.file(), fetch.digest())) return errc::storage_failed;
        const auto now = now_ns();
        const auto existing = index_.blob(fetch.digest());
        auto record = existing.value_or(storage::blob_record{written, "", now, now, 0});
        record.size = written;
        if (record.media_type.empty()) record.media_type = descriptor_media_type(index_, fetch.digest());
        index_.put_blob(fetch.digest(), record);
        evictor_.inserted(fetch.digest(), written);
        if (on_commit_) on_commit_();
        return errc::ok;
    };
    co_return co_await run_blocking(blocking_, std::move(work));
}

}  // namespace strata::proxy

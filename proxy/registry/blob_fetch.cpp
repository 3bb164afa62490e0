// blob_fetch: progress bookkeeping and follower wake-ups.
#include "proxy/registry/blob_fetch.hpp"

#include <algorithm>

namespace strata::proxy {

blob_fetch::snapshot blob_fetch::state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

std::shared_ptr<progress_channel> blob_fetch::subscribe(const asio::any_io_executor& executor) {
    auto channel = std::make_shared<progress_channel>(executor, 1);
    std::lock_guard lock(mutex_);
    std::erase_if(followers_, [](const auto& w) { return w.expired(); });
    followers_.push_back(channel);
    return channel;
}

bool blob_fetch::abandoned() const {
    std::lock_guard lock(mutex_);
    return !followers_.empty() &&
           std::all_of(followers_.begin(), followers_.end(), [](const auto& w) { return w.expired(); });
}

void blob_fetch::start_streaming(storage::temp_blob file, std::optional<std::uint64_t> size) {
    std::lock_guard lock(mutex_);
    file_ = std::move(file);
    state_.state = phase::streaming;
    state_.size = size;
    notify_locked();
}

void blob_fetch::add_written(std::uint64_t n) {
    std::lock_guard lock(mutex_);
    state_.written += n;
    // The first bytes wake followers at once (their clients' time to first byte); then every
    // notify_step.
    if (notified_written_ != 0 && state_.written - notified_written_ < notify_step) return;
    notified_written_ = state_.written;
    notify_locked();
}

void blob_fetch::finish(errc outcome) {
    std::lock_guard lock(mutex_);
    state_.state = outcome == errc::ok ? phase::committed : phase::failed;
    state_.error = outcome;
    state_.upstream_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started_).count();
    if (outcome == errc::ok) state_.size = state_.written;
    notify_locked();
}

void blob_fetch::notify_locked() {
    for (const auto& weak : followers_)
        if (auto channel = weak.lock()) channel->try_send(error_code());
}

}  // namespace strata::proxy

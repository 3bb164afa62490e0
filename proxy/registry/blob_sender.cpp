// send_file_range: non-blocking sendfile with write-readiness waits and live-fetch wake-ups.
#include "proxy/registry/blob_sender.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <sys/sendfile.h>

#include <cerrno>

namespace strata::proxy {
namespace {

using namespace asio::experimental::awaitable_operators;
constexpr std::uint64_t max_sendfile_chunk = 16u << 20;

// True when the socket became writable before the idle timeout.
awaitable<bool> wait_writable(tcp::socket& socket, std::chrono::milliseconds idle_timeout) {
    asio::steady_timer timer(socket.get_executor(), idle_timeout);
    auto winner = co_await (socket.async_wait(tcp::socket::wait_write, with_ec) || timer.async_wait(with_ec));
    co_return winner.index() == 0 && !std::get<0>(std::get<0>(winner));
}

// The end (exclusive) of the bytes of [.., end) a follower may send now: what is on disk,
// but never the blob's final byte before the blob is verified.
std::uint64_t sendable_end(const blob_fetch::snapshot& s, std::uint64_t end) {
    if (s.state == blob_fetch::phase::committed) return end;
    return std::min({s.written, end, *s.size - 1});
}

}  // namespace

awaitable<errc> send_file_range(tcp::socket& socket, int fd, std::uint64_t first, std::uint64_t length,
                                blob_fetch* live, std::chrono::milliseconds idle_timeout, std::uint64_t& sent_total) {
    std::shared_ptr<progress_channel> progress;
    if (live) progress = live->subscribe(socket.get_executor());
    error_code ec;
    socket.native_non_blocking(true, ec);
    if (ec) co_return errc::storage_failed;

    auto offset = static_cast<off_t>(first);
    const std::uint64_t end = first + length;
    while (static_cast<std::uint64_t>(offset) < end) {
        std::uint64_t limit = end;
        if (live) {
            const auto s = live->state();
            if (s.state == blob_fetch::phase::failed) co_return s.error;
            limit = sendable_end(s, end);
            if (static_cast<std::uint64_t>(offset) >= limit) {
                co_await progress->async_receive(with_ec);
                continue;
            }
        }
        const auto want = std::min<std::uint64_t>(limit - static_cast<std::uint64_t>(offset), max_sendfile_chunk);
        const auto sent = ::sendfile(socket.native_handle(), fd, &offset, want);
        if (sent > 0) {
            sent_total += static_cast<std::uint64_t>(sent);
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && errno == EAGAIN) {
            if (!co_await wait_writable(socket, idle_timeout)) co_return errc::upstream_truncated;
            continue;
        }
        co_return errc::storage_failed;  // EPIPE/ECONNRESET: the client went away; or a short file
    }
    co_return errc::ok;
}

}  // namespace strata::proxy

// send_file_range: non-blocking sendfile (or reads encrypted by TLS) with write-readiness waits and
// live-fetch wake-ups.
#include "proxy/registry/blob_sender.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <sys/sendfile.h>

#include <cerrno>
#include <unistd.h>
#include <vector>

namespace strata::proxy {
namespace {

using namespace asio::experimental::awaitable_operators;
constexpr std::uint64_t max_sendfile_chunk = 16u << 20;
constexpr std::size_t tls_chunk = 64u << 10;  // read and encrypted at a time: four TLS records

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

namespace {

// One step of the sending loop: up to want bytes from offset, by sendfile on a plain connection
// (waiting at most idle_timeout for the socket to take more), or read and written through the
// TLS layer (bounded by idle_timeout too). Returns the bytes sent, or an error.
struct step {
    std::uint64_t sent = 0;
    errc error = errc::ok;
};

awaitable<step> send_plain(tcp::socket& socket, int fd, off_t& offset, std::uint64_t want,
                           std::chrono::milliseconds idle_timeout) {
    for (;;) {
        const auto sent = ::sendfile(socket.native_handle(), fd, &offset, std::min(want, max_sendfile_chunk));
        if (sent > 0) co_return step{static_cast<std::uint64_t>(sent)};
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && errno == EAGAIN) {
            if (!co_await wait_writable(socket, idle_timeout)) co_return step{0, errc::upstream_truncated};
            continue;
        }
        co_return step{0, errc::storage_failed};  // EPIPE/ECONNRESET: the client went away; or a short file
    }
}

awaitable<step> send_encrypted(client_stream& stream, std::vector<char>& buffer, int fd, off_t& offset,
                               std::uint64_t want, std::chrono::milliseconds idle_timeout) {
    const auto n = ::pread(fd, buffer.data(), std::min<std::uint64_t>(want, buffer.size()), offset);
    if (n <= 0) co_return step{0, errc::storage_failed};
    stream.expires_after(idle_timeout);
    auto [ec, written] = co_await asio::async_write(stream, asio::buffer(buffer.data(), static_cast<std::size_t>(n)), with_ec);
    stream.expires_never();
    if (ec) co_return step{0, ec == beast::error::timeout ? errc::upstream_truncated : errc::storage_failed};
    offset += n;
    co_return step{written};
}

}  // namespace

awaitable<errc> send_file_range(client_stream& stream, int fd, std::uint64_t first, std::uint64_t length,
                                blob_fetch* live, std::chrono::milliseconds idle_timeout, std::uint64_t& sent_total) {
    std::shared_ptr<progress_channel> progress;
    if (live) progress = live->subscribe(stream.get_executor());
    std::vector<char> buffer(stream.is_tls() ? tls_chunk : 0);
    if (!stream.is_tls()) {
        error_code ec;
        stream.socket().native_non_blocking(true, ec);
        if (ec) co_return errc::storage_failed;
    }
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
        const auto want = limit - static_cast<std::uint64_t>(offset);
        const auto done = stream.is_tls() ? co_await send_encrypted(stream, buffer, fd, offset, want, idle_timeout)
                                          : co_await send_plain(stream.socket(), fd, offset, want, idle_timeout);
        if (done.error != errc::ok) co_return done.error;
        sent_total += done.sent;
    }
    co_return errc::ok;
}

}  // namespace strata::proxy

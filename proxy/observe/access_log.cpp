// access_log: cheap per-request lines in a block buffer, written whole.
#include "proxy/observe/access_log.hpp"

#include "storage/clock.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <ctime>

namespace strata::proxy {
namespace {

void append_number(std::string& out, std::int64_t n) {
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, end);
}

}  // namespace

access_log::access_log(int fd) : fd_(fd) {
    block_.reserve(block_bytes + 4096);
    writing_.reserve(block_bytes + 4096);
}

access_log::~access_log() { flush(); }

void access_log::append_time_locked(std::int64_t now_ns) {
    const std::int64_t second = now_ns / 1'000'000'000;
    if (second != prefix_second_) {
        const std::time_t t = second;
        std::tm local{};
        localtime_r(&t, &local);
        char text[32];
        const auto n = std::strftime(text, sizeof text, "[%Y-%m-%d %H:%M:%S.", &local);
        prefix_.assign(text, n);
        prefix_second_ = second;
    }
    block_ += prefix_;
    const auto ms = static_cast<int>(now_ns / 1'000'000 % 1000);
    block_ += static_cast<char>('0' + ms / 100);
    block_ += static_cast<char>('0' + ms / 10 % 10);
    block_ += static_cast<char>('0' + ms % 10);
    block_ += "] ";
}

void access_log::write(const storage::pull_event& e) {
    if (!spdlog::should_log(spdlog::level::info)) return;
    const auto now = storage::now_ns();
    std::unique_lock lock(mutex_);
    append_time_locked(now);
    block_ += "[info] request method=";
    storage::append_log_value(block_, e.method);
    block_ += " kind=";
    block_ += e.kind;  // strata's own words from here to repo=
    block_ += " upstream=";
    block_ += e.upstream;
    block_ += " repo=";
    storage::append_log_value(block_, e.repository);
    block_ += " ref=";
    storage::append_log_value(block_, e.reference);
    block_ += " status=";
    append_number(block_, e.http_status);
    block_ += " bytes=";
    append_number(block_, static_cast<std::int64_t>(e.bytes_sent));
    block_ += " duration_us=";
    append_number(block_, e.duration_ns / 1000);
    block_ += " cache=";
    block_ += e.cache_status;
    block_ += " node=";
    storage::append_log_value(block_, e.node);
    block_ += '\n';
    if (block_.size() >= block_bytes) hand_off(lock);
}

void access_log::hand_off(std::unique_lock<std::mutex>& lock) {
    std::lock_guard writing(writing_mutex_);
    std::swap(block_, writing_);
    lock.unlock();
    write_out(writing_);
    writing_.clear();
}

void access_log::write_out(std::string_view text) const {
    while (!text.empty()) {
        auto piece = text.substr(0, PIPE_BUF);
        if (piece.size() < text.size()) {
            const auto last_line_end = piece.rfind('\n');
            if (last_line_end != std::string_view::npos) piece = piece.substr(0, last_line_end + 1);
        }
        const auto n = ::write(fd_, piece.data(), piece.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // nowhere to write: the lines are dropped, never the requests
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

void access_log::flush() {
    std::unique_lock lock(mutex_);
    if (!block_.empty()) hand_off(lock);
}

awaitable<void> access_log::run(std::chrono::milliseconds interval) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        timer.expires_after(interval);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        flush();
    }
}

}  // namespace strata::proxy

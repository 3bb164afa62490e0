// access_log: cheap per-request lines in a block buffer, written whole.
#include "proxy/observe/access_log.hpp"

#include "proxy/observe/log_format.hpp"

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


// "request method=… kind=… …": the message of a request's line, in either format.
void append_request_fields(std::string& out, const storage::pull_event& e) {
    out += "request method=";
    storage::append_log_value(out, e.method);
    out += " kind=";
    out += e.kind;  // strata's own words from here to repo=
    out += " upstream=";
    out += e.upstream;
    out += " repo=";
    storage::append_log_value(out, e.repository);
    out += " ref=";
    storage::append_log_value(out, e.reference);
    out += " status=";
    append_number(out, e.http_status);
    out += " bytes=";
    append_number(out, static_cast<std::int64_t>(e.bytes_sent));
    out += " duration_us=";
    append_number(out, e.duration_ns / 1000);
    out += " cache=";
    out += e.cache_status;
    out += " node=";
    storage::append_log_value(out, e.node);
    if (!e.user_agent.empty()) {
        out += " agent=";
        storage::append_log_value(out, e.user_agent);
    }
}

}  // namespace

access_log::access_log(int fd) : fd_(fd) { writing_.reserve(block_bytes + 4096); }

access_log::~access_log() { flush(); }

void access_log::block::append_time(std::int64_t now_ns) {
    const std::int64_t second = now_ns / 1'000'000'000;
    if (second != prefix_second) {
        const std::time_t t = second;
        std::tm local{};
        localtime_r(&t, &local);
        char text[32];
        const auto n = std::strftime(text, sizeof text, "[%Y-%m-%d %H:%M:%S.", &local);
        prefix.assign(text, n);
        prefix_second = second;
    }
    lines += prefix;
    const auto ms = static_cast<int>(now_ns / 1'000'000 % 1000);
    lines += static_cast<char>('0' + ms / 100);
    lines += static_cast<char>('0' + ms / 10 % 10);
    lines += static_cast<char>('0' + ms % 10);
    lines += "] ";
}

void access_log::write(const storage::pull_event& e) {
    if (!spdlog::should_log(spdlog::level::info)) return;
    const auto now = storage::now_ns();
    auto& shard = blocks_.mine();
    std::unique_lock lock(shard.mutex);
    auto& b = shard.value;
    if (b.lines.capacity() < block_bytes) b.lines.reserve(block_bytes + 4096);
    if (json_) {
        thread_local std::string message;  // its capacity reused
        message.clear();
        append_request_fields(message, e);
        b.lines += json_log_line(utc_log_time(now), "info", message);
    } else {
        b.append_time(now);
        b.lines += "[info] ";
        append_request_fields(b.lines, e);
    }
    b.lines += '\n';
    if (b.lines.size() >= block_bytes) hand_off(shard, lock);
}

void access_log::hand_off(shards::shard& s, std::unique_lock<std::mutex>& lock) {
    std::lock_guard writing(writing_mutex_);
    std::swap(s.value.lines, writing_);
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
    for (auto& shard : blocks_.all()) {
        std::unique_lock lock(shard.mutex);
        if (!shard.value.lines.empty()) hand_off(shard, lock);
    }
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

// events_import: the lines read and appended on the blocking pool; the refusal names the line.
#include "proxy/admin/events_import.hpp"

#include "proxy/blocking.hpp"
#include "proxy/reply/replies.hpp"
#include "storage/clock.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string>
#include <variant>

namespace strata::proxy {

awaitable<reply> handle_events_import(storage::event_log& log, const event_config& cfg, asio::thread_pool& blocking,
                                      std::string_view body) {
    const auto now = storage::now_ns();
    const auto oldest_ns = now - std::chrono::duration_cast<std::chrono::nanoseconds>(cfg.retention).count();
    const auto newest_ns = now + std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::hours(1)).count();
    // The body is the session's: copied, so the work never reads what a closing session freed.
    auto work = [&log, body = std::string(body), oldest_ns, newest_ns]() -> std::variant<std::size_t, import_error> {
        auto read = read_event_lines(body, oldest_ns, newest_ns);
        if (auto* bad = std::get_if<import_error>(&read)) return std::move(*bad);
        const auto& events = std::get<std::vector<storage::pull_event>>(read);
        log.append(events);
        return events.size();
    };
    auto outcome = co_await run_blocking(blocking, std::move(work));
    if (auto* bad = std::get_if<import_error>(&outcome)) {
        const auto where = bad->line == 0 ? std::string() : "line " + std::to_string(bad->line) + ": ";
        co_return refusal(http::status::bad_request, "UNSUPPORTED", "events not recorded: " + where + bad->message);
    }
    const auto recorded = std::get<std::size_t>(outcome);
    spdlog::info("recorded {} imported pull events", recorded);
    co_return json_reply(http::status::ok, {{"recorded", recorded}});
}

}  // namespace strata::proxy

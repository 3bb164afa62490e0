// Event export: the formatter `strata events export` shares, and the admin endpoint.
#include "proxy/admin/events_export.hpp"

#include "proxy/protocol/query.hpp"
#include "proxy/blocking.hpp"
#include "proxy/reply/replies.hpp"
#include "proxy/protocol/token_response.hpp"
#include "storage/clock.hpp"

#include <charconv>
#include <sstream>

namespace strata::proxy {

std::optional<export_format> parse_export_format(std::string_view s) {
    if (s == "jsonl" || s.empty()) return export_format::jsonl;
    if (s == "csv") return export_format::csv;
    return std::nullopt;
}

std::optional<std::int64_t> parse_time_arg(std::string_view s, std::int64_t now) {
    if (s.empty()) return std::nullopt;
    if (auto t = parse_rfc3339(s))
        return std::chrono::duration_cast<std::chrono::nanoseconds>(t->time_since_epoch()).count();
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || n < 0 || n > 100LL * 365 * 86400) return std::nullopt;
    const std::string_view unit(end, static_cast<std::size_t>(s.data() + s.size() - end));
    constexpr std::int64_t second = 1000000000;
    if (unit.empty()) return n * second;
    const std::int64_t scale = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
    if (scale == 0) return std::nullopt;
    return now - n * scale * second;
}

std::size_t write_events(const storage::event_log& log, std::int64_t since_ns, std::int64_t until_ns,
                         export_format format, std::size_t limit, std::ostream& out) {
    std::size_t n = 0;
    if (format == export_format::csv) out << storage::csv_header() << '\n';
    log.scan(since_ns, until_ns, [&](const storage::pull_event& e) {
        out << (format == export_format::csv ? storage::to_csv_row(e) : storage::to_json_line(e)) << '\n';
        return limit == 0 || ++n < limit;
    });
    return n;
}

awaitable<reply> handle_events_export(event_recorder& recorder, const storage::event_log& log,
                                      asio::thread_pool& blocking, const request& req) {
    const std::string_view target = req.target();
    const auto now = storage::now_ns();
    const auto since_text = query_value(target, "since");
    const auto until_text = query_value(target, "until");
    const auto since = since_text.empty() ? std::optional<std::int64_t>(0) : parse_time_arg(since_text, now);
    const auto until = until_text.empty() ? std::optional<std::int64_t>(INT64_MAX) : parse_time_arg(until_text, now);
    const auto format = parse_export_format(query_value(target, "format"));
    std::size_t limit = 100000;
    if (const auto l = query_value(target, "limit"); !l.empty()) {
        const auto [end, ec] = std::from_chars(l.data(), l.data() + l.size(), limit);
        if (ec != std::errc() || end != l.data() + l.size()) limit = 0;
    }
    if (!since || !until || !format || limit == 0) {
        co_return refusal(http::status::bad_request, "UNSUPPORTED",
                          "since/until: RFC 3339, epoch seconds or an age like 15m; format: jsonl or csv; "
                          "limit: a positive number");
    }
    recorder.drain();  // what was served before this request is in the export
    auto work = [&log, s = *since, u = *until, f = *format, limit] {
        std::ostringstream out;
        write_events(log, s, u, f, limit, out);
        return out.str();
    };
    auto body = co_await run_blocking(blocking, std::move(work));
    co_return text_reply(http::status::ok, *format == export_format::csv ? "text/csv" : "application/x-ndjson",
                         std::move(body));
}

}  // namespace strata::proxy

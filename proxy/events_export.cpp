// Event export: the admin endpoint and `strata events export`, sharing one formatter.
#include "proxy/events_export.hpp"

#include "proxy/blocking.hpp"
#include "proxy/oci_error.hpp"
#include "proxy/query.hpp"
#include "proxy/token_cache.hpp"

#include <charconv>
#include <iostream>
#include <sstream>

namespace strata::proxy {
namespace {

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

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

awaitable<bool> handle_events_export(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                                     storage::pull_event& ev) {
    const std::string_view target = req.target();
    const auto now = now_ns();
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
        auto res = make_error_response(http::status::bad_request, "UNSUPPORTED",
                                       "since/until: RFC 3339, epoch seconds or an age like 15m; format: jsonl or csv; "
                                       "limit: a positive number",
                                       req.version(), req.keep_alive());
        ev.http_status = res.result_int();
        stream.expires_after(std::chrono::seconds(30));
        co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
        co_return res.keep_alive();
    }
    ctx.events.drain();  // what was served before this request is in the export
    auto work = [&ctx, s = *since, u = *until, f = *format, limit] {
        std::ostringstream out;
        write_events(ctx.events_log, s, u, f, limit, out);
        return out.str();
    };
    auto body = co_await run_blocking(ctx.blocking, std::move(work));
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, *format == export_format::csv ? "text/csv" : "application/x-ndjson");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    ev.http_status = 200;
    stream.expires_after(std::chrono::seconds(300));
    auto [ec, n] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    co_return !ec && res.keep_alive();
}

int run_events_command(const std::vector<std::string>& args) {
    const std::string usage =
        "usage: strata events export [--data-dir DIR] [--since T] [--until T] [--format jsonl|csv]\n"
        "  T: RFC 3339, seconds since the epoch, or an age (90s, 15m, 2h, 7d)\n";
    if (args.empty() || args[0] != "export") {
        std::cerr << usage;
        return 2;
    }
    std::string data_dir = "./var/strata", since_text, until_text, format_text = "jsonl";
    for (std::size_t i = 1; i < args.size(); ++i) {
        const auto& a = args[i];
        if (i + 1 >= args.size()) {
            std::cerr << "strata events: " << a << " needs a value\n" << usage;
            return 2;
        }
        if (a == "--data-dir") data_dir = args[++i];
        else if (a == "--since") since_text = args[++i];
        else if (a == "--until") until_text = args[++i];
        else if (a == "--format") format_text = args[++i];
        else {
            std::cerr << "strata events: unknown flag " << a << "\n" << usage;
            return 2;
        }
    }
    const auto now = now_ns();
    const auto since = since_text.empty() ? std::optional<std::int64_t>(0) : parse_time_arg(since_text, now);
    const auto until = until_text.empty() ? std::optional<std::int64_t>(INT64_MAX) : parse_time_arg(until_text, now);
    const auto format = parse_export_format(format_text);
    if (!since || !until || !format) {
        std::cerr << "strata events: bad --since, --until or --format\n" << usage;
        return 2;
    }
    storage::metadata_index index(std::filesystem::path(data_dir) / "index", storage::metadata_index::open_mode::read_only);
    storage::event_log log(index);
    write_events(log, *since, *until, *format, 0, std::cout);
    std::cout.flush();
    return std::cout ? 0 : 1;
}

}  // namespace strata::proxy

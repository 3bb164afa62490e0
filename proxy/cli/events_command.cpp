// events_command: flags, then the admin room's formatter over a read-only index.
#include "proxy/cli/events_command.hpp"

#include "proxy/admin/events_export.hpp"
#include "proxy/cli/command_frame.hpp"
#include "proxy/cli/flags.hpp"
#include "proxy/cli/store_dir.hpp"
#include "storage/clock.hpp"
#include "storage/events/event_log.hpp"
#include "storage/index/metadata_index.hpp"

#include <cstdint>
#include <iostream>

namespace strata::proxy {

namespace {

constexpr const char* events_usage =
    "usage: strata events export [--data-dir DIR] [--since T] [--until T] [--format jsonl|csv]\n"
    "  T: RFC 3339, seconds since the epoch, or an age (90s, 15m, 2h, 7d)\n";

std::int64_t time_flag(std::string_view flag, const std::string& v, std::int64_t now) {
    const auto t = parse_time_arg(v, now);
    if (!t)
        throw usage_error(std::string(flag) + " wants RFC 3339, seconds since the epoch, or an age such as 15m, not '" +
                          v + "'");
    return *t;
}

int export_events(const std::vector<std::string>& args) {
    if (args.empty()) throw usage_error("no subcommand");
    if (args[0] != "export") throw usage_error("unknown subcommand '" + args[0] + "'");
    const auto now = storage::now_ns();
    std::string data_dir = "./var/strata";
    std::int64_t since = 0, until = INT64_MAX;
    auto format = export_format::jsonl;
    flag_set()
        .text("--data-dir", data_dir)
        .value("--since", [&](const std::string& v) { since = time_flag("--since", v, now); })
        .value("--until", [&](const std::string& v) { until = time_flag("--until", v, now); })
        .value("--format", [&](const std::string& v) { format = *parse_export_format(one_of("--format", v, {"jsonl", "csv"})); })
        .parse({args.begin() + 1, args.end()});
    storage::metadata_index index(store_index_dir(data_dir), storage::metadata_index::open_mode::read_only);
    storage::event_log log(index);
    write_events(log, since, until, format, 0, std::cout);
    std::cout.flush();
    return std::cout ? 0 : 1;
}

}  // namespace

int run_events_command(const std::vector<std::string>& args) {
    return run_command("events", events_usage, args, [&] { return export_events(args); });
}

}  // namespace strata::proxy

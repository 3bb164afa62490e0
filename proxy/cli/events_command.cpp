// events_command: flags, then the admin room's formatter over a read-only index.
#include "proxy/cli/events_command.hpp"

#include "proxy/admin/events_export.hpp"
#include "proxy/cli/help_flag.hpp"
#include "storage/clock.hpp"
#include "storage/events/event_log.hpp"
#include "storage/index/metadata_index.hpp"

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>

namespace strata::proxy {

int run_events_command(const std::vector<std::string>& args) {
    const std::string usage =
        "usage: strata events export [--data-dir DIR] [--since T] [--until T] [--format jsonl|csv]\n"
        "  T: RFC 3339, seconds since the epoch, or an age (90s, 15m, 2h, 7d)\n";
    if (wants_help(args)) return std::cout << usage, 0;
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
    const auto now = storage::now_ns();
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

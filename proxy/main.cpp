// strata: the command-line entry point and its subcommands.
#include "proxy/cli/analyze_command.hpp"
#include "proxy/cli/bench_command.hpp"
#include "proxy/cli/events_command.hpp"
#include "proxy/cli/fsck_command.hpp"
#include "proxy/cli/images_command.hpp"
#include "proxy/cli/command_frame.hpp"
#include "proxy/cli/prefetch_command.hpp"
#include "proxy/cli/simulate_command.hpp"
#include "proxy/cli/serve_command.hpp"

#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char* usage =
    "usage: strata <command> [flags]\n"
    "commands:\n"
    "  serve     run the pull-through cache (strata serve --help)\n"
    "  events    export the pull event log (strata events export --help)\n"
    "  analyze   image sizes, reuse, similarity, pull times and cost (strata analyze --help)\n"
    "  simulate  replay pull traces through caching strategies (strata simulate --help)\n"
    "  fsck      verify every cached blob and repair the store (strata fsck --help)\n"
    "  images    list the cached images, complete or partial (strata images --help)\n"
    "  prefetch  pull whole images into a running strata's cache (strata prefetch --help)\n"
    "  bench     push images of chosen shapes and measure pull strategies (strata bench --help)\n"
    "  version   print the version (also strata --version)\n"
    "every command takes --help\n";

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << usage;
        return args.empty() ? 2 : 0;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    if (command == "version" || command == "--version" || command == "-V") {
        std::cout << "strata 0.1.0\n";
        return 0;
    }
    using namespace strata::proxy;
    if (command == "serve")
        return run_command("serve", serve_usage(), args, [&] {
            const auto request = parse_serve_args(args);
            return request.check_only ? check_serve_config(request.cfg) : run_serve(request.cfg);
        });
    if (command == "events") return run_events_command(args);
    if (command == "analyze") return run_analyze_command(args);
    if (command == "fsck") return run_fsck_command(args);
    if (command == "images") return run_images_command(args);
    if (command == "prefetch") return run_prefetch_command(args);
    if (command == "simulate") return run_simulate_command(args);
    if (command == "bench") return run_bench_command(args);
    std::cerr << "strata: unknown command '" << command << "'\n" << usage;
    return 2;
}

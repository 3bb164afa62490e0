// run_command: --help, and every command's exceptions as one message and an exit status.
#include "proxy/cli/command_frame.hpp"

#include "proxy/cli/flags.hpp"
#include "proxy/config/config.hpp"

#include <algorithm>
#include <iostream>
#include <stdexcept>

namespace strata::proxy {

bool wants_help(const std::vector<std::string>& args) {
    return std::any_of(args.begin(), args.end(), [](const std::string& a) { return a == "--help" || a == "-h"; });
}

int run_command(std::string_view command, std::string_view usage, const std::vector<std::string>& args,
                const std::function<int()>& body) {
    if (wants_help(args)) return std::cout << usage << std::flush, 0;
    const std::string prefix = "strata " + std::string(command) + ": ";
    try {
        return body();
    } catch (const usage_error& e) {
        std::cerr << prefix << e.what() << "\n" << usage;
    } catch (const config_error& e) {
        std::cerr << prefix << "configuration error: " << e.what() << "\n";
    } catch (const std::invalid_argument& e) {
        std::cerr << prefix << e.what() << "\n";
    } catch (const std::exception& e) {
        std::cerr << prefix << e.what() << "\n";
        return 1;
    }
    return 2;
}

}  // namespace strata::proxy

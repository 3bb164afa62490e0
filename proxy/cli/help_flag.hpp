// help_flag: whether a command's arguments ask for its usage, wherever --help or -h appears.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace strata::proxy {

// True when any argument is --help or -h (`strata analyze sizes --help`, `strata events export
// -h`): every command then prints its usage and exits 0 instead of parsing the rest.
inline bool wants_help(const std::vector<std::string>& args) {
    return std::any_of(args.begin(), args.end(), [](const std::string& a) { return a == "--help" || a == "-h"; });
}

}  // namespace strata::proxy

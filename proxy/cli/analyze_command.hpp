// analyze_command: `strata analyze …`, the command-line face of the analytics library.
#pragma once

#include <string>
#include <vector>

namespace strata::proxy {

// Returns the exit status: 0 on success, 1 when no input could be read, 2 for bad usage.
int run_analyze_command(const std::vector<std::string>& args);

}  // namespace strata::proxy

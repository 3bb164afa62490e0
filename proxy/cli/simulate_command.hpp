// simulate_command: `strata simulate`, replaying pull traces through caching strategies.
#pragma once

#include <string>
#include <vector>

namespace strata::proxy {

// Returns the exit status: 0 on success, 1 when the trace could not be read, 2 for bad usage.
int run_simulate_command(const std::vector<std::string>& args);

}  // namespace strata::proxy

// fsck_command: `strata fsck [--repair]`, re-hashing every cached blob against the index.
#pragma once

#include <string>
#include <vector>

namespace strata::proxy {

// Returns the exit status: 0 when the store is sound or was repaired, 1 when damage was found
// and left (no --repair), 2 for bad usage.
int run_fsck_command(const std::vector<std::string>& args);

}  // namespace strata::proxy

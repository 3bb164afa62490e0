// prefetch_command: `strata prefetch`, a client of a running strata's POST /api/v1/prefetch.
#pragma once

#include <string>
#include <vector>

namespace strata::proxy {

// Returns the exit status: 0 when every image and blob is cached, 1 when some failed or the
// server could not be reached, 2 for bad usage.
int run_prefetch_command(const std::vector<std::string>& args);

}  // namespace strata::proxy

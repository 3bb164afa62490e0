// events_command: `strata events export`, the pull event log of a data directory as JSON lines or CSV.
#pragma once

#include <string>
#include <vector>

namespace strata::proxy {

// `strata events export` on a data directory (read-only; works while strata runs).
int run_events_command(const std::vector<std::string>& args);

}  // namespace strata::proxy

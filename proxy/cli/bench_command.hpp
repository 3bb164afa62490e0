// bench_command: `strata bench images` (generate and push images of chosen shapes) and
// `strata bench pull` (pull them with simulated nodes under each strategy, and record it).
#pragma once

#include <string>
#include <vector>

namespace strata::proxy {

// Returns the exit status: 0 when everything asked for was done, 1 when a push or a trial
// failed (the results say which), 2 for bad usage.
int run_bench_command(const std::vector<std::string>& args);

}  // namespace strata::proxy

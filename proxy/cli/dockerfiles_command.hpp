// dockerfiles_command: `strata analyze dockerfiles DIR…`: what a tree of cloned repositories
// builds on, and the image list `strata analyze crawl --refs` reads.
#pragma once

#include <string>
#include <vector>

namespace strata::proxy {

// Returns the exit status: 0 when the trees were read, 1 when none could be, 2 for bad usage.
int run_dockerfiles_command(const std::vector<std::string>& args);

}  // namespace strata::proxy

// crawl_command: `strata analyze crawl`: fetches images' manifests and configs through a
// running strata (so they land in its cache) and reports their sizes in version order.
#pragma once

#include <string>
#include <vector>

namespace strata::proxy {

// Returns the exit status: 0 when every image was read, 1 when some failed, 2 for bad usage.
int run_crawl_command(const std::vector<std::string>& args);

}  // namespace strata::proxy

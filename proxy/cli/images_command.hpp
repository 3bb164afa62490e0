// strata images: the cached images of a data directory, read beside a running strata.
#pragma once

#include <string>
#include <vector>

namespace strata::proxy {

// Prints every tagged image in the store (a page of the index at a time) as a table or as one
// JSON object per line. Returns the exit status: 0, 1 when the store cannot be read, 2 for usage.
int run_images_command(const std::vector<std::string>& args);

}  // namespace strata::proxy

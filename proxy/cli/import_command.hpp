// import_command: `strata analyze import --data-dir DIR PATH…`: images from manifest bundles,
// OCI layouts and skopeo files saved into a data directory's index, where every analysis
// (`--data-dir DIR`) reads them back one at a time.
#pragma once

#include "analytics/inputs/image.hpp"

#include <string>
#include <vector>

namespace strata::proxy {

// Saves images into data_dir's index (creating the data directory if need be), holding the
// data directory's lock: throws storage::store_in_use while a strata runs on it.
void save_into_data_dir(const std::string& data_dir, const std::vector<analytics::image>& images);

// Returns the exit status: 0 when images were saved, 1 when none could be read, 2 for bad usage.
int run_import_command(const std::vector<std::string>& args);

}  // namespace strata::proxy

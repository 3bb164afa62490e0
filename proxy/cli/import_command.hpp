// import_command: `strata analyze import --data-dir DIR PATH…`: images from manifest bundles,
// OCI layouts and skopeo files saved into a data directory's index, where every analysis
// (`--data-dir DIR`) reads them back one at a time.
#pragma once

#include "analytics/inputs/image.hpp"
#include "storage/blobs/store_lock.hpp"
#include "storage/index/metadata_index.hpp"

#include <string>
#include <vector>

namespace strata::proxy {

// Holds a data directory's lock and its index open for saving images (creating the directory if
// need be). Taken before the work whose images it saves, so that a data directory in use is
// refused at once: throws storage::store_in_use while a strata runs on it.
class data_dir_writer {
public:
    explicit data_dir_writer(const std::string& data_dir);
    void save(const std::vector<analytics::image>& images);

private:
    storage::store_lock lock_;
    storage::metadata_index index_;
};

// Returns the exit status: 0 when images were saved, 1 when none could be read, 2 for bad usage.
int run_import_command(const std::vector<std::string>& args);

}  // namespace strata::proxy

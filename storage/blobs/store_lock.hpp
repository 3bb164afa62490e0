// store_lock: one strata at a time on a data directory, and which one holds it.
#pragma once

#include "storage/blobs/unique_fd.hpp"

#include <filesystem>
#include <stdexcept>
#include <sys/types.h>

namespace strata::storage {

// Another process holds the data directory; holder is its pid when it wrote one.
class store_in_use : public std::runtime_error {
public:
    store_in_use(const std::filesystem::path& dir, pid_t holder);
    pid_t holder() const noexcept { return holder_; }

private:
    pid_t holder_;
};

// Holds <dir>/strata.pid under an exclusive flock(2) for its lifetime, with this process's pid
// written in it. Taken before the store is touched (a second strata would otherwise delete the
// first one's temp files before RocksDB's own lock stopped it), released by the kernel however
// the process ends, so a crash leaves nothing to clean up. Creates dir if needed. Throws
// store_in_use, or std::runtime_error naming the file when it cannot be created.
class store_lock {
public:
    explicit store_lock(const std::filesystem::path& dir);

private:
    unique_fd fd_;
};

}  // namespace strata::storage

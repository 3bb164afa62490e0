// unique_fd's close.
#include "storage/blobs/unique_fd.hpp"

#include <unistd.h>

namespace strata::storage {

void unique_fd::reset(int fd) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

}  // namespace strata::storage

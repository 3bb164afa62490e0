// store_lock: flock on <data dir>/strata.pid, and the holder's pid read back for the error.
#include "storage/blobs/store_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace strata::storage {
namespace {

// The pid a holder wrote, or 0 if the file holds none (it may be writing it right now).
pid_t pid_in(int fd) {
    char text[24] = {};
    const auto n = ::pread(fd, text, sizeof text - 1, 0);
    if (n <= 0) return 0;
    long pid = 0;
    for (ssize_t i = 0; i < n && text[i] >= '0' && text[i] <= '9' && pid < 1'000'000'000; ++i) pid = pid * 10 + (text[i] - '0');
    return static_cast<pid_t>(pid);
}

std::string holder_text(const std::filesystem::path& dir, pid_t holder) {
    return "strata is already running on this data directory (" + dir.string() +
           (holder > 0 ? ", pid " + std::to_string(holder) : std::string()) + ")";
}

}  // namespace

store_in_use::store_in_use(const std::filesystem::path& dir, pid_t holder)
    : std::runtime_error(holder_text(dir, holder)), holder_(holder) {}

store_lock::store_lock(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create the data directory " + dir.string() + ": " + ec.message());
    const auto path = dir / "strata.pid";
    fd_ = unique_fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd_) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) throw store_in_use(dir, pid_in(fd_.get()));
        throw std::runtime_error("cannot lock " + path.string() + ": " + std::strerror(errno));
    }
    const auto pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_.get(), 0) != 0 || ::pwrite(fd_.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
        throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
}

}  // namespace strata::storage

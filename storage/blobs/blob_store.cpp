// blob_store: temp files, verified commits and reads of content-addressed blob files.
#include "storage/blobs/blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>

namespace strata::storage {
namespace {

std::atomic<std::uint64_t> temp_counter{0};

constexpr digest_algorithm algorithms[] = {digest_algorithm::sha256, digest_algorithm::sha512};

bool fsync_directory(const std::filesystem::path& dir) {
    unique_fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    return fd && ::fsync(fd.get()) == 0;
}

}  // namespace

blob_store::blob_store(std::filesystem::path root, bool clean_temp)
    : root_(std::move(root)), tmp_(root_ / "tmp") {
    if (!clean_temp) return;  // a reader beside the owner (fsck, analyze): touches nothing
    for (const auto a : algorithms) std::filesystem::create_directories(root_ / "blobs" / algorithm_name(a));
    std::filesystem::remove_all(tmp_);
    std::filesystem::create_directories(tmp_);
}

std::filesystem::path blob_store::path_of(const digest& d) const {
    const auto hex = d.hex();
    return root_ / "blobs" / algorithm_name(d.algorithm()) / std::string(hex.substr(0, 2)) / std::string(hex);
}

result<open_blob> blob_store::open(const digest& d) const {
    unique_fd fd(::open(path_of(d).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errc::blob_unknown;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return errc::blob_unknown;
    return open_blob{std::move(fd), static_cast<std::uint64_t>(st.st_size)};
}

bool blob_store::contains(const digest& d) const {
    struct stat st {};
    return ::stat(path_of(d).c_str(), &st) == 0;
}

result<temp_blob> blob_store::create_temp() const {
    auto path = tmp_ / ("fetch-" + std::to_string(::getpid()) + "-" + std::to_string(temp_counter++));
    unique_fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd) return errc::storage_failed;
    return temp_blob{std::move(fd), std::move(path)};
}

result<void> blob_store::commit(temp_blob& blob, const digest& d) const {
    const auto target = path_of(d);
    std::error_code ec;
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec || ::fsync(blob.fd.get()) != 0 || ::rename(blob.path.c_str(), target.c_str()) != 0)
        return errc::storage_failed;
    blob.path.clear();
    if (!fsync_directory(target.parent_path())) return errc::storage_failed;
    return {};
}

void blob_store::discard(temp_blob& blob) const noexcept {
    if (!blob.path.empty()) ::unlink(blob.path.c_str());
    blob.path.clear();
}

bool blob_store::remove(const digest& d) const noexcept { return ::unlink(path_of(d).c_str()) == 0; }

void blob_store::for_each_blob(const std::function<void(const digest&)>& visit,
                               const std::function<void(const std::filesystem::path&)>& stray) const {
    for (const auto a : algorithms) for_each_blob(a, visit, stray);
}

void blob_store::for_each_blob(digest_algorithm a, const std::function<void(const digest&)>& visit,
                               const std::function<void(const std::filesystem::path&)>& stray) const {
    namespace fs = std::filesystem;
    const auto prefix_text = std::string(algorithm_name(a)) + ":";
    const auto dir = root_ / "blobs" / algorithm_name(a);
    if (!fs::is_directory(dir)) return;  // a store written before sha512, read without being prepared
    for (const auto& prefix : fs::directory_iterator(dir)) {
        if (!prefix.is_directory()) {
            stray(prefix.path());
            continue;
        }
        for (const auto& file : fs::directory_iterator(prefix.path())) {
            const auto name = file.path().filename().string();
            auto d = digest::parse(prefix_text + name);
            if (d && d->algorithm() == a && file.is_regular_file() &&
                name.starts_with(prefix.path().filename().string()))
                visit(*d);
            else stray(file.path());
        }
    }
}

}  // namespace strata::storage

// store_check: walk blob files against the index, hash what needs hashing, repair on request.
#include "storage/store_check.hpp"

#include "storage/unique_fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <unordered_map>

namespace strata::storage {
namespace {

constexpr std::size_t read_chunk = 1 << 20;

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class checker {
public:
    checker(const blob_store& blobs, metadata_index& index, const store_check_options& options)
        : blobs_(blobs), index_(index), options_(options) {
        index_.for_each_blob([&](std::string_view d, const blob_record& r) { indexed_.emplace(d, r.size); });
    }

    store_check_report run() {
        std::vector<digest> files;
        blobs_.for_each_blob([&](const digest& d) { files.push_back(d); },
                             [&](const std::filesystem::path& p) { stray(p); });
        for (const auto& d : files) {
            check_file(d);
            ++report_.files;
            if (options_.progress) options_.progress(report_.files, files.size(), report_.bytes_hashed);
        }
        for (const auto& [d, size] : indexed_) missing(d);  // what no file claimed
        report_.repaired = options_.repair;
        return std::move(report_);
    }

private:
    void check_file(const digest& d) {
        const auto path = blobs_.path_of(d);
        const auto entry = indexed_.find(d.str());
        const bool known = entry != indexed_.end();
        std::uint64_t size = 0;
        if (known && !options_.verify_hashes) {
            std::error_code ec;
            size = std::filesystem::file_size(path, ec);
            if (!ec && size == entry->second) return indexed_.erase(entry), void();
            return corrupt(d, "size " + std::to_string(size) + " but indexed as " + std::to_string(entry->second));
        }
        const auto actual = hash_file(path, &size);
        report_.bytes_hashed += size;
        const bool good = actual && *actual == d;
        if (known) {
            const auto indexed_size = entry->second;
            indexed_.erase(entry);
            if (!good) return corrupt(d, "content does not hash to its name");
            if (size != indexed_size) return corrupt(d, "size disagrees with the index");
            return;
        }
        if (!good) {
            ++report_.orphan_files;
            report_.problems.push_back("unindexed file with wrong content: " + path.string());
            if (options_.repair) blobs_.remove(d);
            return;
        }
        ++report_.adopted;
        if (options_.repair) {
            const auto now = now_ns();
            index_.put_blob(d, blob_record{size, "", now, now, 0});
        }
    }

    void corrupt(const digest& d, const std::string& why) {
        indexed_.erase(d.str());
        ++report_.corrupt;
        report_.problems.push_back("corrupt blob " + d.str() + ": " + why);
        if (!options_.repair) return;
        blobs_.remove(d);
        index_.erase_blob(d);
    }

    void stray(const std::filesystem::path& p) {
        ++report_.stray_files;
        report_.problems.push_back("stray file: " + p.string());
        std::error_code ec;
        if (options_.repair) std::filesystem::remove_all(p, ec);
    }

    void missing(const std::string& d) {
        ++report_.missing_files;
        report_.problems.push_back("indexed blob without a file: " + d);
        if (!options_.repair) return;
        if (auto parsed = digest::parse(d)) index_.erase_blob(*parsed);
        else index_.erase_blob_key(d);
    }

    const blob_store& blobs_;
    metadata_index& index_;
    const store_check_options& options_;
    std::unordered_map<std::string, std::uint64_t> indexed_;
    store_check_report report_;
};

}  // namespace

store_check_report check_store(const blob_store& blobs, metadata_index& index, const store_check_options& options) {
    return checker(blobs, index, options).run();
}

result<digest> hash_file(const std::filesystem::path& path, std::uint64_t* size) {
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errc::storage_failed;
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    sha256_hasher hasher;
    std::unique_ptr<char[]> buffer(new char[read_chunk]);
    std::uint64_t total = 0;
    for (;;) {
        const auto n = ::read(fd.get(), buffer.get(), read_chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errc::storage_failed;
        if (n == 0) break;
        hasher.update(buffer.get(), static_cast<std::size_t>(n));
        total += static_cast<std::uint64_t>(n);
    }
    if (size) *size = total;
    return hasher.finish();
}

}  // namespace strata::storage

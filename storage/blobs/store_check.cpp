// store_check: walk blob files against the index, hash what needs hashing, repair on request.
#include "storage/blobs/store_check.hpp"

#include "storage/blobs/unique_fd.hpp"
#include "storage/clock.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <memory>
#include <unordered_map>

namespace strata::storage {
namespace {

constexpr std::size_t read_chunk = 1 << 20;
constexpr std::size_t direct_io_alignment = 4096;

struct file_hash {
    result<digest> actual = errc::storage_failed;
    std::uint64_t size = 0;
};

// Hashes every file on all cores: one SHA-2 stream runs slower than a disk reads.
std::vector<file_hash> hash_in_parallel(const blob_store& blobs, const std::vector<digest>& files,
                                        const store_check_options& options) {
    std::vector<file_hash> out(files.size());
    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<std::uint64_t> bytes{0};
    std::mutex progress_mutex;
    const auto work = [&] {
        for (auto i = next++; i < files.size(); i = next++) {
            out[i].actual = hash_file(blobs.path_of(files[i]), files[i].algorithm(), &out[i].size);
            bytes += out[i].size;
            const auto n = ++done;
            if (!options.progress) continue;
            std::lock_guard lock(progress_mutex);
            options.progress(n, files.size(), bytes.load());
        }
    };
    // Twice the cores: while one thread waits for the disk another hashes.
    std::vector<std::thread> threads(std::max(1u, std::thread::hardware_concurrency()) - 1);
    for (auto& t : threads) t = std::thread(work);
    work();
    for (auto& t : threads) t.join();
    return out;
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
        std::vector<file_hash> hashes;
        if (options_.verify_hashes) hashes = hash_in_parallel(blobs_, files, options_);
        for (std::size_t i = 0; i < files.size(); ++i) {
            check_file(files[i], hashes.empty() ? nullptr : &hashes[i]);
            ++report_.files;
            if (options_.progress && hashes.empty()) options_.progress(report_.files, files.size(), report_.bytes_hashed);
        }
        for (const auto& [d, size] : indexed_) missing(d);  // what no file claimed
        report_.repaired = options_.repair;
        return std::move(report_);
    }

private:
    // hashed: the file's hash when every file was hashed up front, else null.
    void check_file(const digest& d, const file_hash* hashed) {
        const auto path = blobs_.path_of(d);
        const auto entry = indexed_.find(d.str());
        if (entry != indexed_.end() && !hashed) {  // start-up: a known file only needs its size right
            const auto indexed_size = entry->second;
            indexed_.erase(entry);
            std::error_code ec;
            const auto size = std::filesystem::file_size(path, ec);
            if (ec || size != indexed_size)
                corrupt(d, "size " + std::to_string(size) + " but indexed as " + std::to_string(indexed_size));
            return;
        }
        file_hash computed;
        if (!hashed) computed.actual = hash_file(path, d.algorithm(), &computed.size);
        const auto& h = hashed ? *hashed : computed;
        report_.bytes_hashed += h.size;
        const bool good = h.actual && *h.actual == d;
        if (entry != indexed_.end()) {
            const auto indexed_size = entry->second;
            indexed_.erase(entry);
            if (!good) return corrupt(d, "content does not hash to its name");
            if (h.size != indexed_size) return corrupt(d, "size disagrees with the index");
            return;
        }
        if (!good) return orphan(d, path);
        ++report_.adopted;
        if (!options_.repair) return;
        const auto now = now_ns();
        index_.put_blob(d, blob_record{h.size, "", now, now, 0});
    }

    void orphan(const digest& d, const std::filesystem::path& path) {
        ++report_.orphan_files;
        report_.problems.push_back("unindexed file with wrong content: " + path.string());
        if (options_.repair) blobs_.remove(d);
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

result<digest> hash_file(const std::filesystem::path& path, digest_algorithm algorithm, std::uint64_t* size) {
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errc::storage_failed;
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    const std::unique_ptr<char, decltype(&std::free)> buffer(
        static_cast<char*>(std::aligned_alloc(direct_io_alignment, read_chunk)), &std::free);
    if (!buffer) return errc::storage_failed;
    digest_hasher hasher(algorithm);
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

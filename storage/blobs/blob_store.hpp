// blob_store: content-addressed blob files under <root>/blobs/<sha256|sha512>/ab/<hex>.
#pragma once

#include "storage/oci/digest.hpp"
#include "storage/blobs/unique_fd.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>

namespace strata::storage {

// A committed blob opened for reading.
struct open_blob {
    unique_fd fd;
    std::uint64_t size = 0;
};

// A blob being written: a uniquely named file under <root>/tmp that only becomes
// visible as a blob through blob_store::commit.
struct temp_blob {
    unique_fd fd;
    std::filesystem::path path;
};

// Owns the on-disk layout. A blob path only ever holds bytes whose digest was verified
// before commit, so an existing path is a cached blob. Thread-safe: every operation is
// a handful of system calls on distinct paths. All calls block on the disk; run them
// off I/O threads where they may wait (commit fsyncs).
class blob_store {
public:
    // Creates the directory layout if needed and removes temp files left by a crash; with
    // clean_temp false (a reader beside a running strata, which may own the temp files, or of a
    // read-only copy) it creates and removes nothing.
    // Throws std::filesystem::filesystem_error if the root cannot be prepared.
    explicit blob_store(std::filesystem::path root, bool clean_temp = true);

    std::filesystem::path path_of(const digest& d) const;

    // Opens a committed blob; errc::blob_unknown if it is not cached.
    result<open_blob> open(const digest& d) const;

    // True when the blob is committed.
    bool contains(const digest& d) const;

    // Creates an empty temp file; errc::storage_failed if the disk refuses.
    result<temp_blob> create_temp() const;

    // fsyncs the temp file, renames it to the blob's path and fsyncs the directory.
    // The caller must have verified the bytes hash to d. The temp file's descriptor
    // stays valid (it now refers to the committed blob).
    result<void> commit(temp_blob& blob, const digest& d) const;

    // Removes an uncommitted temp file. Never fails.
    void discard(temp_blob& blob) const noexcept;

    // Unlinks a committed blob (readers holding it open keep their bytes); false if absent.
    bool remove(const digest& d) const noexcept;

    // Every committed blob file, by digest. Files whose names are not a digest in the right
    // directory are passed to stray, for the caller to report or delete.
    void for_each_blob(const std::function<void(const digest&)>& visit,
                       const std::function<void(const std::filesystem::path&)>& stray) const;

private:
    void for_each_blob(digest_algorithm a, const std::function<void(const digest&)>& visit,
                       const std::function<void(const std::filesystem::path&)>& stray) const;

    std::filesystem::path root_;
    std::filesystem::path tmp_;
};

}  // namespace strata::storage

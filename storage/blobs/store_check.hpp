// store_check: makes the blob files and the RocksDB index agree, at start-up and for `strata fsck`.
#pragma once

#include "storage/blobs/blob_store.hpp"
#include "storage/index/metadata_index.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace strata::storage {

struct store_check_options {
    bool verify_hashes = false;  // re-hash every indexed blob (fsck), not only unindexed files
    bool repair = true;          // delete and fix what is wrong; false only reports
    // Called after each blob file with (files done, files in all, bytes hashed so far).
    std::function<void(std::size_t, std::size_t, std::uint64_t)> progress;
};

struct store_check_report {
    std::size_t files = 0;             // blob files looked at
    std::uint64_t bytes_hashed = 0;
    std::size_t corrupt = 0;           // content does not hash to its name, or size disagrees
    std::size_t adopted = 0;           // verified files the index did not know, now indexed
    std::size_t orphan_files = 0;      // unindexed files whose content was wrong
    std::size_t stray_files = 0;       // names that are not blobs
    std::size_t missing_files = 0;     // index entries without a file
    std::vector<std::string> problems; // one line per finding, for the report
    bool repaired = false;

    // Damage found: corrupt, orphaned or stray files, or entries without files.
    bool damaged() const { return corrupt + orphan_files + stray_files + missing_files > 0; }
};

// Index entries without a file are dropped; files without an entry are adopted when their
// bytes hash to their name and deleted otherwise; stray names are deleted; with verify_hashes
// every indexed blob is re-hashed and a corrupt one deleted with its entry. Each deletion
// happens only with repair. Blocks on the disk for as long as it takes.
store_check_report check_store(const blob_store& blobs, metadata_index& index, const store_check_options& options);

// The digest of a file's contents in the given algorithm; errc::storage_failed if it cannot be read.
result<digest> hash_file(const std::filesystem::path& path, digest_algorithm algorithm, std::uint64_t* size = nullptr);

}  // namespace strata::storage

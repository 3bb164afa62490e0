// Internal to storage/: the RocksDB database behind metadata_index and event_log.
#pragma once

#include "storage/index/metadata_index.hpp"

#include <rocksdb/db.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace strata::storage {

inline constexpr const char* column_names[] = {"default", "blobs", "manifests", "tags", "refs", "events"};
enum column { cf_default, cf_blobs, cf_manifests, cf_tags, cf_refs, cf_events, cf_count };

// In the default column family: when a manifest was last stored or served (decimal ns).
inline std::string manifest_used_key(std::string_view digest) { return "manifest_used/" + std::string(digest); }
// In the default column family: a subject's referrers index ("<fetched ns>\n<index>"), under
// "referrers/<upstream>/<repository>@<digest>".
inline constexpr std::string_view referrers_prefix = "referrers/";
// In the default column family: whether a repository holds a digest ("1:<ns>" or "0:<ns>").
inline std::string link_prefix(std::string_view digest) { return "link/" + std::string(digest) + "|"; }

// Throws std::runtime_error for a failed status; rocksdb::Status never leaves storage/.
void check(const rocksdb::Status& s, const char* what);

struct metadata_index::impl {
    // Opens or creates the database with every column family. A read-only instance can
    // open a database that a running strata is writing (it sees a snapshot).
    impl(const std::filesystem::path& dir, bool read_only);

    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;

    rocksdb::ColumnFamilyHandle* cf(column c) const { return handles[c]; }

    std::optional<std::string> get(column c, const std::string& key) const {
        std::string value;
        const auto s = db->Get(rocksdb::ReadOptions(), cf(c), key, &value);
        if (s.IsNotFound()) return std::nullopt;
        check(s, "read");
        return value;
    }

    ~impl() {
        for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    }
};

}  // namespace strata::storage

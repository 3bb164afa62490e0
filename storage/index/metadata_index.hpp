// metadata_index: the RocksDB index of cached blobs, manifests, tag mappings and references.
#pragma once

#include "storage/oci/digest.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::storage {

struct blob_record {
    std::uint64_t size = 0;
    std::string media_type;
    std::int64_t first_access_ns = 0;
    std::int64_t last_access_ns = 0;
    std::uint64_t hits = 0;
};

struct manifest_record {
    std::string media_type;
    std::string body;
};

// A subject's referrers index as strata last fetched it (unfiltered, rendered by strata).
struct referrers_record {
    std::string index;
    std::int64_t fetched_at_ns = 0;
};

struct tag_record {
    std::string digest;
    std::string media_type;
    std::int64_t fetched_at_ns = 0;
};

// Which upstream repository a tag or reference belongs to, e.g. {"ghcr.io", "org/app"}.
struct repository_key {
    std::string upstream;
    std::string repository;
};

// What strata knows of whether a repository holds a digest: seen in it (a manifest fetched for
// it, a blob downloaded through it, an upstream HEAD that answered 200) or confirmed absent.
// "upstream/repository:tag": a tag's key in the index, and the order its tags are kept in.
std::string tag_key(const repository_key& repo, std::string_view tag);

struct repository_link {
    bool holds = false;
    std::int64_t at_ns = 0;  // when it was learned
};

// One batch entry of access statistics for a blob or manifest.
struct access_update {
    std::string digest;
    std::uint64_t hits = 0;
    std::int64_t last_access_ns = 0;
};

// Column families: blobs, manifests, tags, refs. Every call is a synchronous RocksDB
// operation: run it on the blocking pool, never on an I/O thread. Thread-safe.
// Infrastructure failures (disk, corruption) throw std::runtime_error.
class metadata_index {
public:
    enum class open_mode { read_write, read_only };

    // Opens or creates the database in dir (read_only: opens an existing one, possibly while
    // a running strata writes it). Throws std::runtime_error on failure.
    explicit metadata_index(const std::filesystem::path& dir, open_mode mode = open_mode::read_write);
    ~metadata_index();
    metadata_index(const metadata_index&) = delete;
    metadata_index& operator=(const metadata_index&) = delete;

    std::optional<manifest_record> manifest(const digest& d) const;
    // Stores a manifest and records that it references each of its children.
    void put_manifest(const digest& d, std::string_view media_type, std::string_view body,
                      const repository_key& repo, const std::vector<digest>& children);

    // Which repositories hold which digests, as distribution keeps repository links. put_manifest
    // links the manifest and every child to its repository itself.
    void put_link(const digest& d, const repository_key& repo, const repository_link& link);
    std::optional<repository_link> link(const digest& d, const repository_key& repo) const;
    // Every repository (as "upstream/repository") known to hold d.
    std::vector<std::string> holders(const digest& d) const;

    std::optional<tag_record> tag(const repository_key& repo, std::string_view tag) const;
    void put_tag(const repository_key& repo, std::string_view tag, const tag_record& record);

    // The referrers of subject in repo, as last fetched.
    std::optional<referrers_record> referrers_of(const repository_key& repo, const digest& subject) const;
    void put_referrers(const repository_key& repo, const digest& subject, const referrers_record& record);

    std::optional<blob_record> blob(const digest& d) const;
    void put_blob(const digest& d, const blob_record& record);

    // Adds hit counts and moves last access forward for blobs already indexed; for a cached
    // manifest, records when it was last served (metadata garbage collection reads it).
    void record_accesses(const std::vector<access_update>& updates);

    void erase_blob(const digest& d);
    void erase_blob_key(std::string_view key);  // an entry whose key is not a valid digest
    // Every indexed blob in digest order (a full scan: start-up, eviction state, fsck).
    // Keys that are not digests are passed as they are, for the caller to drop.
    void for_each_blob(const std::function<void(std::string_view digest, const blob_record&)>& visit) const;
    // Number and total size of indexed blobs (a full scan: call at start-up).
    std::pair<std::uint64_t, std::uint64_t> blob_totals() const;

    // Every tag, in key order, with the repository it belongs to.
    void for_each_tag(const std::function<void(const repository_key&, std::string_view tag, const tag_record&)>& visit) const;
    // The tags whose key "upstream/repository:tag" sorts after `after`, in that order, until
    // visit returns false: a seek, so a page costs its own size.
    void for_each_tag_after(std::string_view after,
                            const std::function<bool(const repository_key&, std::string_view tag, const tag_record&)>& visit) const;
    // Every stored manifest, in digest order.
    void for_each_manifest(const std::function<void(std::string_view digest, const manifest_record&)>& visit) const;

    // Manifests (by digest) that reference the given blob or child manifest.
    std::vector<std::string> referrers(const digest& child) const;

    struct impl;  // defined in storage/index/rocksdb_impl.hpp, for storage/ alone
    impl& internals() noexcept { return *impl_; }
    const impl& internals() const noexcept { return *impl_; }

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace strata::storage

// cache_evictor: keeps the blob store under its byte budget with a chosen eviction policy.
#pragma once

#include "storage/oci/digest.hpp"
#include "storage/eviction/eviction_policy.hpp"
#include "storage/index/metadata_index.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace strata::storage {

struct cache_limits {
    std::uint64_t max_bytes = 0;  // 0: unbounded, nothing is ever evicted
    double high_watermark = 0.95; // start evicting above this share of max_bytes
    double low_watermark = 0.85;  // stop once below this share
};

// Tracks every committed blob in the policy, leases blobs while they are served, and evicts
// down to the low watermark once the high one is passed. A leased or pinned blob is never a
// victim: it goes back into the policy as if new. The removal itself is the caller's (the
// proxy removes under its fetch registry's lock, so a blob is never deleted while being
// fetched again); it returns false to keep a blob. Thread-safe.
class cache_evictor {
public:
    using remover = std::function<bool(const digest&)>;

    cache_evictor(eviction_kind kind, cache_limits limits, remover remove);

    // Rebuilds policy state from the index's access records (first access, last access, hits).
    void restore(const metadata_index& index);

    void inserted(const digest& d, std::uint64_t size);
    void accessed(const digest& d);

    // While a lease lives its blob is not evicted.
    class lease {
    public:
        lease() = default;
        lease(lease&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)), digest_(std::move(o.digest_)) {}
        lease& operator=(lease&&) = delete;
        ~lease();

    private:
        friend class cache_evictor;
        lease(cache_evictor* owner, std::string d) : owner_(owner), digest_(std::move(d)) {}
        cache_evictor* owner_ = nullptr;
        std::string digest_;
    };
    lease hold(const digest& d);

    // Replaces the set of pinned digests.
    void set_pinned(std::unordered_set<std::string> digests);

    bool over_high_watermark() const;
    struct result {
        std::size_t blobs = 0;
        std::uint64_t bytes = 0;
        std::size_t kept = 0;  // victims skipped: leased, pinned or refused by the remover
    };
    // Evicts until below the low watermark (or nothing evictable is left). Blocks on the
    // disk: run it off I/O threads. One run at a time; a concurrent call returns at once.
    result evict();
    // The disk filled up: evicts the shortfall (as far as possible), budget or not, but never
    // more than max_disk_full_fraction of the cached bytes in one call, whatever the shortfall
    // claims: a lying upstream cannot empty the cache.
    static constexpr double max_disk_full_fraction = 0.25;
    result evict_at_least(std::uint64_t bytes);

    // One blob removed on demand (the admin API's DELETE /api/v1/cache), whatever the budget. A
    // leased or pinned blob stays, and so does one the remover refuses (being fetched again).
    enum class removal { removed, absent, in_use, pinned, refused };
    removal evict_one(const digest& d);

    std::uint64_t bytes() const noexcept { return bytes_.load(); }
    std::size_t objects() const;
    std::uint64_t evicted_blobs() const noexcept { return evicted_blobs_.load(); }
    std::uint64_t evicted_bytes() const noexcept { return evicted_bytes_.load(); }
    eviction_kind kind() const noexcept { return kind_; }
    const cache_limits& limits() const noexcept { return limits_; }

private:
    struct entry {
        std::string digest;
        std::uint64_t size;
    };
    std::optional<std::pair<object_id, entry>> next_victim(std::vector<std::pair<object_id, entry>>& kept);
    result evict_down_to(std::uint64_t target_bytes);
    std::size_t put_back(std::vector<std::pair<object_id, entry>>& kept);
    void release(const std::string& d);
    object_id take_id();  // under mutex_

    eviction_kind kind_;
    cache_limits limits_;
    remover remove_;
    mutable std::mutex mutex_;
    std::mutex evicting_;
    std::unique_ptr<eviction_policy> policy_;
    std::unordered_map<std::string, object_id> ids_;
    std::unordered_map<object_id, entry> entries_;
    std::unordered_map<std::string, unsigned> leases_;
    std::unordered_set<std::string> pinned_;
    object_id next_id_ = 1;
    std::vector<object_id> free_ids_;  // ids of evicted blobs, for reuse
    std::atomic<std::uint64_t> bytes_{0};
    std::atomic<std::uint64_t> evicted_blobs_{0}, evicted_bytes_{0};
};

}  // namespace strata::storage

// eviction_policy: which cached object to evict next — LRU, LFU, FIFO, S3-FIFO, SIEVE, GDSF.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace strata::storage {

using object_id = std::uint64_t;

// The small interface shared by the store's evictor and the caching-strategy simulator.
// A policy only orders the objects it was told about; the caller owns sizes, capacity and
// deletion. Ids are small dense integers chosen by the caller (below 2^32 - 1): policies keep
// their state in arrays indexed by id, a few to a few dozen bytes per id up to the largest.
// Not thread-safe: the caller serialises calls.
class eviction_policy {
public:
    virtual ~eviction_policy() = default;

    // A new object entered the cache (it must not be tracked already).
    virtual void on_insert(object_id id, std::uint64_t size) = 0;
    // A tracked object was requested; unknown ids are ignored.
    virtual void on_access(object_id id) = 0;
    // Chooses the next victim and stops tracking it; nullopt when nothing is tracked.
    virtual std::optional<object_id> pick_victim() = 0;
    // Stops tracking an object removed for another reason; unknown ids are ignored.
    virtual void erase(object_id id) = 0;
    virtual std::size_t size() const = 0;
    // The caller will reuse id for another object: drop any memory of it (ghost entries).
    virtual void forget(object_id) {}
    // The caller will use ids below count: size the per-id arrays once, exactly.
    virtual void reserve(std::size_t count) = 0;

    // Restores state after a restart from persisted access records: the caller inserts every
    // object in first-access order, then calls this in last-access order with its hit count.
    // By default one access; frequency-based policies take the count.
    virtual void on_restore_access(object_id id, std::uint64_t hits) {
        if (hits > 0) on_access(id);
    }
};

enum class eviction_kind { lru, lfu, fifo, s3fifo, sieve, gdsf };

// "lru", "lfu", "fifo", "s3fifo", "sieve", "gdsf"; nullopt for anything else.
std::optional<eviction_kind> parse_eviction_kind(std::string_view name);
std::string_view eviction_kind_name(eviction_kind kind);
const std::vector<eviction_kind>& all_eviction_kinds();

std::unique_ptr<eviction_policy> make_eviction_policy(eviction_kind kind);

}  // namespace strata::storage

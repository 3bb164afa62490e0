// sim_cache: one simulated cache (a node's image store, a strata, one replica): capacity with
// watermarks, an admission limit, and a policy from sim_policies, Belady's included.
#pragma once

#include "analytics/simulator/policies.hpp"

#include "storage/eviction/id_heap.hpp"

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace strata::analytics {

inline constexpr std::uint64_t never = std::numeric_limits<std::uint64_t>::max();

struct sim_cache_limits {
    std::uint64_t capacity = 0;  // bytes
    double high = 1.0, low = 1.0;  // past high × capacity, evict down to low × capacity
    std::uint64_t admit_max = never;  // larger objects are fetched, never kept
    double ttl_s = 0;                 // ttl policy: an object expires this long after it entered
};

// Not thread-safe; one per simulated cache. Memory per object id: a byte, the policy's state
// (9 to 28 bytes, plus its heap or queue entries while cached), 8 more for ttl.
class sim_cache {
public:
    // Objects are ids below sizes.size(), each of that size; sizes must outlive the cache.
    sim_cache(const sim_policy& policy, const sim_cache_limits& limits, const std::vector<std::uint64_t>& sizes);

    // One request at time for an object whose next request (in this cache's stream, for
    // Belady) is at index next_use (never if none). Returns true on a hit; on a miss the
    // object is admitted when it fits (Belady also declines objects it would evict first).
    bool request(std::uint32_t object, double time, std::uint64_t next_use);
    // Puts an object in without counting a request (pre-warming); false if it was there.
    bool insert_if_absent(std::uint32_t object, double time, std::uint64_t next_use);
    bool contains(std::uint32_t object) const noexcept { return cached_[object] != 0; }
    std::uint64_t used_bytes() const noexcept { return used_; }

private:
    struct belady_key {
        double distance;  // negated: the heap's top is the farthest (or biggest × farthest)
        std::uint64_t tie;
        bool operator<(const belady_key& o) const noexcept {
            return distance != o.distance ? distance < o.distance : tie < o.tie;
        }
    };
    bool offline() const noexcept;
    bool expired(std::uint32_t object, double time) const noexcept;
    belady_key key_for(std::uint64_t size, std::uint64_t next_use) const;
    void admit(std::uint32_t object, double time, std::uint64_t next_use);
    void evict_to(std::uint64_t target);
    void remove(std::uint32_t object);

    sim_policy kind_;
    sim_cache_limits limits_;
    std::unique_ptr<storage::eviction_policy> policy_;
    storage::id_heap<belady_key> belady_;
    const std::vector<std::uint64_t>& sizes_;
    std::vector<std::uint8_t> cached_;
    std::vector<double> entered_;  // ttl only
    std::uint64_t used_ = 0, tick_ = 0;
};

}  // namespace strata::analytics

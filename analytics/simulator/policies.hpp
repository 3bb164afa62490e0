// sim_policies: the policies `strata simulate` compares. The storage library's six run as they
// run in the store; ARC and a byte-oriented Greedy-Dual are added here behind the same
// interface; TTL and the offline Belady bounds are modes of the simulated cache.
#pragma once

#include "storage/eviction/eviction_policy.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analytics {

enum class sim_policy_kind { storage, arc, gd_bytes, ttl, belady, belady_size };

struct sim_policy {
    sim_policy_kind kind = sim_policy_kind::storage;
    storage::eviction_kind storage_kind = storage::eviction_kind::lru;  // kind == storage
    std::string name;
};

// "lru", "fifo", "lfu", "s3fifo", "sieve", "gdsf", "arc", "gd-bytes", "ttl", "belady",
// "belady-size"; nullopt otherwise.
std::optional<sim_policy> parse_sim_policy(std::string_view name);
const std::vector<std::string>& sim_policy_names();

// ARC (Megiddo and Modha, FAST '03) over the eviction_policy interface: T1 (seen once) and T2
// (seen again), ghosts B1 and B2 of their recent victims, and the adaptive target p for T1.
// The cache size c that ARC adapts within is the number of objects it tracks.
std::unique_ptr<storage::eviction_policy> make_arc_policy();

// Greedy-Dual with cost = size (priority L + frequency; LFU with dynamic aging): it keeps the
// objects that save the most bytes, where GDSF keeps those that save the most requests.
std::unique_ptr<storage::eviction_policy> make_gd_bytes_policy();

// The eviction_policy for kinds storage, arc, gd_bytes and ttl (TTL evicts by LRU when full).
std::unique_ptr<storage::eviction_policy> make_policy(const sim_policy& p);

}  // namespace strata::analytics

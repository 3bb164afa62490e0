// manifest_cache: the in-memory LRU of hot manifests in front of the RocksDB index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <atomic>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "proxy/string_hash.hpp"

namespace strata::proxy {

// An immutable manifest as served: shared by every response that sends it.
struct cached_manifest {
    std::string digest;
    std::string media_type;
    std::string body;
    // Its 200 response's fixed header lines, serialized once for every request that sends it
    // (empty if a field would not be safe to send, e.g. control characters from an old index).
    std::string response_head;
};

// A manifest as served, with its response head built.
std::shared_ptr<const cached_manifest> make_cached_manifest(std::string digest, std::string media_type,
                                                            std::string body);

// The bytes an entry costs: its strings plus the bookkeeping around them.
std::size_t memory_cost(const cached_manifest& m) noexcept;

// Bounded by entry count and by bytes (memory_cost of the entries); an entry bigger than the byte
// budget is not kept. Eviction is second-chance (CLOCK), close to least recently used: a hit
// only sets its entry's flag under a shared lock, so the network threads looking up hot
// manifests never wait for each other; when room is needed, the oldest entry goes unless it was
// hit since it was last passed over, in which case it is moved to the front with its flag
// cleared. Thread-safe; entries are shared_ptr, so readers never hold the lock while sending.
class manifest_cache {
public:
    explicit manifest_cache(std::size_t capacity, std::size_t byte_budget = SIZE_MAX)
        : capacity_(capacity), byte_budget_(byte_budget) {}

    std::shared_ptr<const cached_manifest> find(std::string_view digest);
    void insert(std::shared_ptr<const cached_manifest> manifest);

    std::size_t bytes() const;
    std::size_t byte_budget() const noexcept { return byte_budget_; }

private:
    struct entry {
        explicit entry(std::shared_ptr<const cached_manifest> m) : manifest(std::move(m)) {}
        std::shared_ptr<const cached_manifest> manifest;
        std::atomic<bool> hit{false};  // since eviction last passed it over
    };
    using entry_list = std::list<entry>;
    void evict_one();  // under the exclusive lock

    std::size_t capacity_;
    std::size_t byte_budget_;
    std::size_t bytes_ = 0;
    mutable std::shared_mutex mutex_;
    entry_list order_;  // newest (or passed over) first
    string_map<entry_list::iterator> by_digest_;
};

}  // namespace strata::proxy

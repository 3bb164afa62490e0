// manifest_cache: the in-memory LRU of hot manifests in front of the RocksDB index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
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

// Bounded by entry count and by bytes (memory_cost of the entries): the least recently used go
// first; an entry bigger than the byte budget is not kept. Thread-safe (one mutex; entries are
// shared_ptr so readers never hold the lock while sending).
class manifest_cache {
public:
    explicit manifest_cache(std::size_t capacity, std::size_t byte_budget = SIZE_MAX)
        : capacity_(capacity), byte_budget_(byte_budget) {}

    std::shared_ptr<const cached_manifest> find(std::string_view digest);
    void insert(std::shared_ptr<const cached_manifest> manifest);

    std::size_t bytes() const;
    std::size_t byte_budget() const noexcept { return byte_budget_; }

private:
    using entry_list = std::list<std::shared_ptr<const cached_manifest>>;
    std::size_t capacity_;
    std::size_t byte_budget_;
    std::size_t bytes_ = 0;
    mutable std::mutex mutex_;
    entry_list order_;  // most recently used first
    string_map<entry_list::iterator> by_digest_;
};

}  // namespace strata::proxy

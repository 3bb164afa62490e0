// manifest_cache: the in-memory LRU of hot manifests in front of the RocksDB index.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace strata::proxy {

// An immutable manifest as served: shared by every response that sends it.
struct cached_manifest {
    std::string digest;
    std::string media_type;
    std::string body;
};

// Bounded by entry count. Thread-safe (one mutex; entries are shared_ptr so readers never
// hold the lock while sending).
class manifest_cache {
public:
    explicit manifest_cache(std::size_t capacity) : capacity_(capacity) {}

    std::shared_ptr<const cached_manifest> find(const std::string& digest);
    void insert(std::shared_ptr<const cached_manifest> manifest);

private:
    using entry_list = std::list<std::shared_ptr<const cached_manifest>>;
    std::size_t capacity_;
    std::mutex mutex_;
    entry_list order_;  // most recently used first
    std::unordered_map<std::string, entry_list::iterator> by_digest_;
};

}  // namespace strata::proxy

// event_log: the append-only, time-ordered pull event log in RocksDB's "events" column family.
#pragma once

#include "storage/metadata_index.hpp"
#include "storage/pull_event.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace strata::storage {

// Keys are (ts_ns, sequence) big-endian, so iteration is in time order. Values are JSON
// lines. Shares the database of a metadata_index. Synchronous: run off I/O threads.
// Thread-safe. Infrastructure failures throw std::runtime_error.
class event_log {
public:
    explicit event_log(metadata_index& index);

    // Appends events in one write batch.
    void append(const std::vector<pull_event>& events);

    // Calls visit for each event with since_ns <= ts_ns < until_ns, oldest first; stops
    // when visit returns false. Returns the number of records that could not be decoded.
    std::size_t scan(std::int64_t since_ns, std::int64_t until_ns,
                     const std::function<bool(const pull_event&)>& visit) const;

    // Deletes events older than cutoff_ns; returns how many.
    std::size_t delete_before(std::int64_t cutoff_ns);
    // Deletes the oldest events until at most max_bytes of records remain; returns how many.
    std::size_t trim_to_bytes(std::uint64_t max_bytes);

private:
    metadata_index::impl& db_;
};

}  // namespace strata::storage

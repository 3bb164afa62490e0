// event_log: the append-only, time-ordered pull event log in RocksDB's "events" column family.
#pragma once

#include "storage/events/event_block.hpp"
#include "storage/index/metadata_index.hpp"
#include "storage/events/pull_event.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace rocksdb {
class WriteBatch;
}

namespace strata::storage {

// Each value is an event block (event_block.hpp) keyed by (its earliest ts_ns, a sequence)
// big-endian, so blocks iterate in time order; blocks may overlap in time (a long request
// recorded after shorter later ones), which scans resolve by merging. Shares the database of
// a metadata_index. Synchronous: run off I/O threads. Thread-safe. Infrastructure failures
// throw std::runtime_error.
class event_log {
public:
    explicit event_log(metadata_index& index);

    // Appends the block in one write; nothing for an empty block.
    void append(event_block_builder& block);
    // Appends the events in time order, as blocks of at most block_events spanning at most
    // block_span_ns each, in one write: all or none. (Events spread over days in one block would
    // make every later scan start days early: a scan starts the widest span before its since.)
    void append(const std::vector<pull_event>& events);
    static constexpr std::size_t block_events = 4096;
    static constexpr std::int64_t block_span_ns = 60'000'000'000;

    // Calls visit for each event with since_ns <= ts_ns < until_ns in ts_ns order (events of
    // equal time in the order they were appended); stops when visit returns false. Returns
    // the number of records that could not be decoded.
    std::size_t scan(std::int64_t since_ns, std::int64_t until_ns,
                     const std::function<bool(const pull_event&)>& visit) const;

    // Deletes the blocks whose every event is older than cutoff_ns; returns how many events.
    std::size_t delete_before(std::int64_t cutoff_ns);
    // Deletes the oldest blocks until at most max_bytes of records remain; returns how many
    // events they held.
    std::size_t trim_to_bytes(std::uint64_t max_bytes);

private:
    std::int64_t stored_max_span() const;
    // Writes the batch; when span is wider than any before, stores it too, in the same write.
    void write(rocksdb::WriteBatch& batch, std::int64_t span);

    metadata_index::impl& db_;
    // The widest (max_ts - min_ts) of any block, persisted: how far before since a scan starts.
    std::atomic<std::int64_t> max_span_;
    std::mutex span_mutex_;  // a wider span is stored by one writer at a time, so it only grows
};

}  // namespace strata::storage

// event_block: many pull events as one event-log value, built by the recorder and merged on scan.
#pragma once

#include "storage/oci/error.hpp"
#include "storage/events/pull_event.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::storage {

// Events are appended in arrival order (not sorted); the header carries their count and the
// earliest and latest ts_ns so that scans and retention can skip a block without decoding it.
// One RocksDB write per block instead of per event is what keeps recording cheap, and storing
// the records LZ4-compressed (when that is smaller) cuts what RocksDB copies, logs and flushes:
// events at the request rate otherwise make RocksDB's flushes take the CPU from serving.
class event_block_builder {
public:
    event_block_builder();
    // A moved-from builder is empty and usable.
    event_block_builder(event_block_builder&& other) noexcept;
    event_block_builder& operator=(event_block_builder&& other) noexcept;
    void add(const pull_event& e);
    // Adds a record already encoded by append_record, whose event has time ts_ns.
    void add_record(std::string_view record, std::int64_t ts_ns);
    void clear() noexcept;
    bool empty() const noexcept { return count_ == 0; }
    std::size_t size() const noexcept { return count_; }
    // The records' bytes, without framing and header.
    std::size_t record_bytes() const noexcept { return record_bytes_; }
    // The memory it holds, used or not.
    std::size_t capacity() const noexcept { return records_.capacity(); }
    std::int64_t min_ts() const noexcept { return min_ts_; }
    std::int64_t max_ts() const noexcept { return max_ts_; }
    // The value to store: header, then the framed records, compressed when that is smaller. A
    // view valid until the builder's next change and this thread's next finish(): into the
    // builder when uncompressed (the header is written into room left before the records, so a
    // block of some hundred KiB is not copied once more), else into a per-thread buffer.
    std::string_view finish();

private:
    void make_header_room();
    char* write_header(char* out, char version) const;
    // Room for the largest header, then the framed records (empty in a moved-from builder).
    std::string records_;
    std::size_t count_ = 0;
    std::size_t record_bytes_ = 0;
    std::int64_t min_ts_ = INT64_MAX, max_ts_ = INT64_MIN;
};

struct event_block_header {
    std::uint64_t count = 0;
    std::int64_t min_ts = 0, max_ts = 0;
};

// The header alone; errc::storage_failed when the value is not a block.
result<event_block_header> parse_event_block_header(std::string_view value);

// Every event of a block, in stored order. A record that does not decode is skipped and
// counted in *corrupt; a damaged frame ends the block (what follows it is counted too), and
// compressed records that do not decompress to their stated size are all counted. Never
// allocates more than LZ4 could expand the value to (255 times its size).
result<std::vector<pull_event>> parse_event_block(std::string_view value, std::size_t* corrupt);

}  // namespace strata::storage

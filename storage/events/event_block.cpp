// event_block: header (version, count, time span) followed by length-framed event records,
// stored LZ4-compressed when that is smaller.
#include "storage/events/event_block.hpp"

#include "storage/events/pull_event_record.hpp"
#include "storage/events/varint.hpp"

#include <lz4.h>

#include <algorithm>
#include <utility>

namespace strata::storage {
namespace {

constexpr char plain_block = 2;       // header, then the framed records
constexpr char compressed_block = 4;  // header, the framed records' size, then them in LZ4
constexpr std::size_t header_room = 1 + 3 * max_varint_bytes;
// Below this the records are stored as they are: LZ4 would save a few bytes at best.
constexpr std::size_t smallest_compressed_records = 512;
constexpr std::size_t kept_compression_bytes = 4u << 20;
// LZ4 expands at most 255 times: a larger stated size is damage, never allocated for.
constexpr std::uint64_t lz4_max_expansion = 255;

// A count no block of this size could hold is damage, not a huge block.
result<event_block_header> read_header(varint_reader& r, std::uint64_t records_size_bound) {
    event_block_header h;
    h.count = r.varint();
    h.min_ts = r.signed_varint();
    h.max_ts = r.signed_varint();
    if (!r.ok() || h.min_ts > h.max_ts || h.count > records_size_bound) return errc::storage_failed;
    return h;
}

// A block's header, and where its framed records are: in the value itself, or (compressed) the
// stated size of what the rest of the value decompresses to.
struct block_layout {
    event_block_header header;
    std::string_view records;  // the framed records, or their LZ4 form
    std::uint64_t records_size = 0;
    bool compressed = false;
};

result<block_layout> read_layout(std::string_view value) {
    if (value.empty() || (value.front() != plain_block && value.front() != compressed_block))
        return errc::storage_failed;
    block_layout b;
    b.compressed = value.front() == compressed_block;
    varint_reader r(value.substr(1));
    // Bounds the count by what the records could take: the value, or LZ4's greatest expansion.
    const auto bound = b.compressed ? value.size() * lz4_max_expansion : value.size();
    auto header = read_header(r, bound);
    if (!header) return header.error();
    b.header = *header;
    b.records_size = b.compressed ? r.varint() : r.rest().size();
    b.records = r.rest();
    if (!r.ok() || b.records_size > b.records.size() * lz4_max_expansion || b.header.count > b.records_size)
        return errc::storage_failed;
    return b;
}

// The framed records of a compressed block in out; false when they do not decompress to
// exactly the stated size.
bool decompress(const block_layout& b, std::string& out) {
    // finish() compresses no more than LZ4 takes in one call.
    const auto limit = static_cast<std::uint64_t>(LZ4_MAX_INPUT_SIZE);
    if (b.records.size() > limit || b.records_size > limit) return false;
    out.resize(b.records_size);
    const int n = LZ4_decompress_safe(b.records.data(), out.data(), static_cast<int>(b.records.size()),
                                      static_cast<int>(b.records_size));
    return n >= 0 && static_cast<std::uint64_t>(n) == b.records_size;
}

}  // namespace

event_block_builder::event_block_builder() : records_(header_room, '\0') {}

event_block_builder::event_block_builder(event_block_builder&& other) noexcept { *this = std::move(other); }

event_block_builder& event_block_builder::operator=(event_block_builder&& other) noexcept {
    records_ = std::move(other.records_);
    count_ = std::exchange(other.count_, 0);
    record_bytes_ = std::exchange(other.record_bytes_, 0);
    min_ts_ = std::exchange(other.min_ts_, INT64_MAX);
    max_ts_ = std::exchange(other.max_ts_, INT64_MIN);
    other.records_.clear();  // its header room comes back with its next record
    return *this;
}

void event_block_builder::make_header_room() {
    if (records_.size() < header_room) records_.resize(header_room);
}

void event_block_builder::add(const pull_event& e) {
    std::string record;
    append_record(record, e);
    add_record(record, e.ts_ns);
}

void event_block_builder::add_record(std::string_view record, std::int64_t ts_ns) {
    make_header_room();
    put_text(records_, record);
    ++count_;
    record_bytes_ += record.size();
    min_ts_ = std::min(min_ts_, ts_ns);
    max_ts_ = std::max(max_ts_, ts_ns);
}

void event_block_builder::clear() noexcept {
    records_.resize(header_room);  // also makes the room of a moved-from builder
    count_ = 0;
    record_bytes_ = 0;
    min_ts_ = INT64_MAX;
    max_ts_ = INT64_MIN;
}

char* event_block_builder::write_header(char* out, char version) const {
    *out++ = version;
    out = write_varint(out, count_);
    out = write_varint(out, zigzag(min_ts_));
    return write_varint(out, zigzag(max_ts_));
}

std::string_view event_block_builder::finish() {
    make_header_room();
    char header[header_room];
    const auto header_size = static_cast<std::size_t>(write_header(header, plain_block) - header);
    const std::string_view records = std::string_view(records_).substr(header_room);
    if (records.size() >= smallest_compressed_records && records.size() <= LZ4_MAX_INPUT_SIZE) {
        // One buffer per thread that stores blocks (the recorder's writer), not one per builder:
        // builders wait in every network thread's shard, and their bound counts records only.
        thread_local std::string compressed;
        const auto room = static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(records.size())));
        const auto needed = header_room + max_varint_bytes + room;
        if (compressed.capacity() > kept_compression_bytes && compressed.capacity() > 2 * needed)
            std::string().swap(compressed);  // after a burst of large blocks
        compressed.resize(needed);
        char* end = write_varint(write_header(compressed.data(), compressed_block), records.size());
        const int n = LZ4_compress_default(records.data(), end, static_cast<int>(records.size()), static_cast<int>(room));
        compressed.resize(static_cast<std::size_t>(end - compressed.data()) + static_cast<std::size_t>(std::max(n, 0)));
        if (n > 0 && compressed.size() < header_size + records.size()) return compressed;
    }
    const auto start = header_room - header_size;
    std::copy(header, header + header_size, records_.begin() + static_cast<std::ptrdiff_t>(start));
    return std::string_view(records_).substr(start);
}

result<event_block_header> parse_event_block_header(std::string_view value) {
    auto b = read_layout(value);
    if (!b) return b.error();
    return b->header;
}

result<std::vector<pull_event>> parse_event_block(std::string_view value, std::size_t* corrupt) {
    auto b = read_layout(value);
    if (!b) return b.error();
    thread_local std::string decompressed;  // reused by each scan's blocks, released when large
    std::string_view framed = b->records;
    if (b->compressed) {
        const bool ok = decompress(*b, decompressed);
        framed = ok ? std::string_view(decompressed) : std::string_view();
    }
    varint_reader r(framed);
    std::vector<pull_event> events;
    constexpr std::size_t smallest_framed_record = 16;
    // Never more than the stored value could hold uncompressed, nor a block's usual size: a
    // damaged count or LZ4's expansion must not reserve gigabytes.
    constexpr std::uint64_t largest_reservation = 65536;
    events.reserve(std::min<std::uint64_t>({b->header.count, b->records.size() / smallest_framed_record + 1,
                                            largest_reservation}));
    std::size_t bad = 0;
    while (!r.at_end()) {
        const auto record = r.text();
        if (!r.ok()) break;
        if (auto e = parse_record(record)) events.push_back(std::move(*e));
        else ++bad;
    }
    if (decompressed.capacity() > (4u << 20)) std::string().swap(decompressed);
    // A damaged frame (or compressed records that do not decompress) hides the records after
    // it: count them from the header.
    if (events.size() + bad < b->header.count) bad = b->header.count - events.size();
    *corrupt += bad;
    return events;
}

}  // namespace strata::storage

// event_block: header (version, count, time span) followed by length-framed event records.
#include "storage/events/event_block.hpp"

#include "storage/events/pull_event_record.hpp"
#include "storage/events/varint.hpp"

#include <algorithm>
#include <utility>

namespace strata::storage {
namespace {

constexpr char block_version = 2;
constexpr std::size_t header_room = 1 + 3 * max_varint_bytes;

// A count no block of this size could hold is damage, not a huge block.
result<event_block_header> read_header(varint_reader& r, std::size_t value_size) {
    event_block_header h;
    h.count = r.varint();
    h.min_ts = r.signed_varint();
    h.max_ts = r.signed_varint();
    if (!r.ok() || h.min_ts > h.max_ts || h.count > value_size) return errc::storage_failed;
    return h;
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

std::string_view event_block_builder::finish() {
    make_header_room();
    char header[header_room];
    char* end = header;
    *end++ = block_version;
    end = write_varint(end, count_);
    end = write_varint(end, zigzag(min_ts_));
    end = write_varint(end, zigzag(max_ts_));
    const auto size = static_cast<std::size_t>(end - header);
    const auto start = header_room - size;
    std::copy(header, end, records_.begin() + static_cast<std::ptrdiff_t>(start));
    return std::string_view(records_).substr(start);
}

result<event_block_header> parse_event_block_header(std::string_view value) {
    if (value.empty() || value.front() != block_version) return errc::storage_failed;
    varint_reader r(value.substr(1));
    return read_header(r, value.size());
}

result<std::vector<pull_event>> parse_event_block(std::string_view value, std::size_t* corrupt) {
    if (value.empty() || value.front() != block_version) return errc::storage_failed;
    varint_reader r(value.substr(1));
    auto header = read_header(r, value.size());
    if (!header) return header.error();
    std::vector<pull_event> events;
    constexpr std::size_t smallest_framed_record = 16;
    events.reserve(std::min<std::uint64_t>(header->count, value.size() / smallest_framed_record));
    std::size_t bad = 0;
    while (!r.at_end()) {
        const auto record = r.text();
        if (!r.ok()) break;
        if (auto e = parse_record(record)) events.push_back(std::move(*e));
        else ++bad;
    }
    // A damaged frame hides the records after it: count them from the header.
    if (events.size() + bad < header->count) bad = header->count - events.size();
    *corrupt += bad;
    return events;
}

}  // namespace strata::storage

// event_log over RocksDB: event blocks under big-endian time keys, merged scans and retention.
#include "storage/events/event_log.hpp"

#include "storage/index/rocksdb_impl.hpp"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <limits>

namespace strata::storage {
namespace {

constexpr std::size_t key_size = 16;
constexpr const char* max_span_key = "event_log/max_span_ns";
constexpr std::size_t kept_batch_bytes = 4u << 20;

std::string encode_key(std::int64_t ts_ns, std::uint64_t sequence) {
    std::string key(key_size, '\0');
    const auto t = static_cast<std::uint64_t>(ts_ns) ^ (1ull << 63);  // negative times sort first
    for (int i = 0; i < 8; ++i) key[i] = static_cast<char>(t >> (56 - 8 * i));
    for (int i = 0; i < 8; ++i) key[8 + i] = static_cast<char>(sequence >> (56 - 8 * i));
    return key;
}

// The time encode_key put first; the earliest time when the key is not one of its keys.
std::int64_t key_time(std::string_view key) {
    if (key.size() != key_size) return INT64_MIN;
    std::uint64_t t = 0;
    for (int i = 0; i < 8; ++i) t = t << 8 | static_cast<unsigned char>(key[static_cast<std::size_t>(i)]);
    return static_cast<std::int64_t>(t ^ (1ull << 63));
}

std::uint64_t initial_sequence() {
    // Unique across restarts without reading the log: appends in the same nanosecond by two
    // processes cannot collide because only one process opens the database for writing.
    return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) << 16;
}

std::atomic<std::uint64_t> next_sequence{initial_sequence()};

std::int64_t saturating_sub(std::int64_t a, std::int64_t b) {
    return a < std::numeric_limits<std::int64_t>::min() + b ? std::numeric_limits<std::int64_t>::min() : a - b;
}

// Events waiting to be visited, a min-heap on (ts_ns, arrival) so equal times keep their order.
class event_merge {
public:
    void push(pull_event e) {
        heap_.push_back({std::move(e), arrivals_++});
        std::push_heap(heap_.begin(), heap_.end(), later);
    }
    // Visits, in order, every pending event earlier than bound; false once visit said stop.
    bool emit_before(std::int64_t bound, const std::function<bool(const pull_event&)>& visit) {
        while (!heap_.empty() && heap_.front().event.ts_ns < bound) {
            std::pop_heap(heap_.begin(), heap_.end(), later);
            const auto e = std::move(heap_.back().event);
            heap_.pop_back();
            if (!visit(e)) return false;
        }
        return true;
    }

private:
    struct pending {
        pull_event event;
        std::uint64_t arrival;
    };
    static bool later(const pending& a, const pending& b) {
        return a.event.ts_ns != b.event.ts_ns ? a.event.ts_ns > b.event.ts_ns : a.arrival > b.arrival;
    }
    std::vector<pending> heap_;
    std::uint64_t arrivals_ = 0;
};

}  // namespace

event_log::event_log(metadata_index& index) : db_(index.internals()), max_span_(stored_max_span()) {}

std::int64_t event_log::stored_max_span() const {
    std::string value;
    const auto s = db_.db->Get(rocksdb::ReadOptions(), db_.cf(cf_default), max_span_key, &value);
    if (s.IsNotFound()) return 0;
    check(s, "read event span");
    try {
        return std::max<std::int64_t>(0, std::stoll(value));
    } catch (const std::exception&) {
        return std::numeric_limits<std::int64_t>::max() / 2;  // unreadable: scan from the start
    }
}

void event_log::append(event_block_builder& block) {
    if (block.empty()) return;
    // Each appending thread (the recorder's writer, in strata serve) reuses its batch: a block
    // of some hundred KiB copied into fresh memory each time costs page faults.
    thread_local rocksdb::WriteBatch batch;
    if (batch.GetDataSize() > kept_batch_bytes) batch = rocksdb::WriteBatch();  // after a burst, not kept
    batch.Clear();
    check(batch.Put(db_.cf(cf_events), encode_key(block.min_ts(), next_sequence++), block.finish()), "batch events");
    write(batch, block.max_ts() - block.min_ts());
}

void event_log::append(const std::vector<pull_event>& events) {
    std::vector<const pull_event*> in_order;
    in_order.reserve(events.size());
    for (const auto& e : events) in_order.push_back(&e);
    std::stable_sort(in_order.begin(), in_order.end(), [](const auto* a, const auto* b) { return a->ts_ns < b->ts_ns; });
    rocksdb::WriteBatch batch;
    std::int64_t widest = 0;
    event_block_builder block;
    const auto put = [&] {
        if (block.empty()) return;
        widest = std::max(widest, block.max_ts() - block.min_ts());
        check(batch.Put(db_.cf(cf_events), encode_key(block.min_ts(), next_sequence++), block.finish()), "batch events");
        block.clear();
    };
    for (const auto* e : in_order) {
        if (block.size() >= block_events || (!block.empty() && e->ts_ns - block.min_ts() > block_span_ns)) put();
        block.add(*e);
    }
    put();
    if (batch.Count() > 0) write(batch, widest);
}

void event_log::write(rocksdb::WriteBatch& batch, std::int64_t span) {
    if (span <= max_span_.load()) {
        check(db_.db->Write(rocksdb::WriteOptions(), &batch), "append events");
        return;
    }
    std::lock_guard lock(span_mutex_);
    if (span > max_span_.load()) {
        check(batch.Put(db_.cf(cf_default), max_span_key, std::to_string(span)), "batch event span");
        max_span_ = span;  // before the write: a scan may start earlier than needed, never later
    }
    check(db_.db->Write(rocksdb::WriteOptions(), &batch), "append events");
}

std::size_t event_log::scan(std::int64_t since_ns, std::int64_t until_ns,
                            const std::function<bool(const pull_event&)>& visit) const {
    std::size_t corrupt = 0;
    event_merge merge;
    std::unique_ptr<rocksdb::Iterator> it(db_.db->NewIterator(rocksdb::ReadOptions(), db_.cf(cf_events)));
    for (it->Seek(encode_key(saturating_sub(since_ns, stored_max_span()), 0)); it->Valid(); it->Next()) {
        const auto value = it->value().ToStringView();
        const auto header = parse_event_block_header(value);
        if (!header) {
            ++corrupt;
            continue;
        }
        if (header->min_ts >= until_ns) break;
        if (header->max_ts < since_ns) continue;
        // Later blocks start at or after this one, so everything earlier is final.
        if (!merge.emit_before(header->min_ts, visit)) return corrupt;
        auto events = parse_event_block(value, &corrupt);
        if (!events) continue;
        for (auto& e : *events)
            if (e.ts_ns >= since_ns && e.ts_ns < until_ns) merge.push(std::move(e));
    }
    check(it->status(), "scan events");
    merge.emit_before(std::numeric_limits<std::int64_t>::max(), visit);
    return corrupt;
}

std::size_t event_log::delete_before(std::int64_t cutoff_ns) {
    std::size_t n = 0;
    rocksdb::WriteBatch batch;
    std::unique_ptr<rocksdb::Iterator> it(db_.db->NewIterator(rocksdb::ReadOptions(), db_.cf(cf_events)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        const auto header = parse_event_block_header(it->value().ToStringView());
        // A block this version cannot read (damaged, or written by a later one) is dated by its
        // key, which holds its earliest time: recent ones are kept for a version that can.
        if ((header ? header->min_ts : key_time(it->key().ToStringView())) >= cutoff_ns) break;
        if (header && header->max_ts >= cutoff_ns) continue;  // partly recent: kept whole
        n += header ? header->count : 0;                      // unreadable old blocks go too
        check(batch.Delete(db_.cf(cf_events), it->key()), "batch old events");
    }
    check(it->status(), "find old events");
    if (batch.Count() > 0) check(db_.db->Write(rocksdb::WriteOptions(), &batch), "delete old events");
    return n;
}

std::size_t event_log::trim_to_bytes(std::uint64_t max_bytes) {
    // Walk newest to oldest, keeping blocks until the budget is spent; delete the rest.
    std::uint64_t kept = 0;
    std::string first_dropped;
    std::size_t dropped = 0;
    std::unique_ptr<rocksdb::Iterator> it(db_.db->NewIterator(rocksdb::ReadOptions(), db_.cf(cf_events)));
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
        const auto size = it->key().size() + it->value().size();
        if (first_dropped.empty() && kept + size <= max_bytes) {
            kept += size;
            continue;
        }
        if (first_dropped.empty()) first_dropped = it->key().ToString();
        const auto header = parse_event_block_header(it->value().ToStringView());
        dropped += header ? header->count : 0;
    }
    check(it->status(), "size events");
    if (!first_dropped.empty()) {
        first_dropped.push_back('\0');  // DeleteRange's end is exclusive
        check(db_.db->DeleteRange(rocksdb::WriteOptions(), db_.cf(cf_events), encode_key(INT64_MIN, 0), first_dropped),
              "trim events");
    }
    return dropped;
}

}  // namespace strata::storage

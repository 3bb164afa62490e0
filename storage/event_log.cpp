// event_log over RocksDB: big-endian time keys, batched appends, range scans and retention.
#include "storage/event_log.hpp"

#include "storage/rocksdb_impl.hpp"

#include <rocksdb/write_batch.h>

#include <atomic>
#include <chrono>

namespace strata::storage {
namespace {

std::string encode_key(std::int64_t ts_ns, std::uint64_t sequence) {
    std::string key(16, '\0');
    const auto t = static_cast<std::uint64_t>(ts_ns) ^ (1ull << 63);  // negative times sort first
    for (int i = 0; i < 8; ++i) key[i] = static_cast<char>(t >> (56 - 8 * i));
    for (int i = 0; i < 8; ++i) key[8 + i] = static_cast<char>(sequence >> (56 - 8 * i));
    return key;
}

std::uint64_t initial_sequence() {
    // Unique across restarts without reading the log: appends in the same nanosecond by two
    // processes cannot collide because only one process opens the database for writing.
    return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) << 16;
}

std::atomic<std::uint64_t> next_sequence{initial_sequence()};

}  // namespace

event_log::event_log(metadata_index& index) : db_(index.internals()) {}

void event_log::append(const std::vector<pull_event>& events) {
    rocksdb::WriteBatch batch;
    for (const auto& e : events) batch.Put(db_.cf(cf_events), encode_key(e.ts_ns, next_sequence++), to_json_line(e));
    check(db_.db->Write(rocksdb::WriteOptions(), &batch), "append events");
}

std::size_t event_log::scan(std::int64_t since_ns, std::int64_t until_ns,
                            const std::function<bool(const pull_event&)>& visit) const {
    std::size_t corrupt = 0;
    const auto end = encode_key(until_ns, 0);
    std::unique_ptr<rocksdb::Iterator> it(db_.db->NewIterator(rocksdb::ReadOptions(), db_.cf(cf_events)));
    for (it->Seek(encode_key(since_ns, 0)); it->Valid() && it->key().compare(end) < 0; it->Next()) {
        auto e = parse_json_line(it->value().ToStringView());
        if (!e) {
            ++corrupt;
            continue;
        }
        if (!visit(*e)) break;
    }
    check(it->status(), "scan events");
    return corrupt;
}

std::size_t event_log::delete_before(std::int64_t cutoff_ns) {
    std::size_t n = 0;
    const auto end = encode_key(cutoff_ns, 0);
    std::unique_ptr<rocksdb::Iterator> it(db_.db->NewIterator(rocksdb::ReadOptions(), db_.cf(cf_events)));
    for (it->SeekToFirst(); it->Valid() && it->key().compare(end) < 0; it->Next()) ++n;
    check(it->status(), "count old events");
    if (n > 0) check(db_.db->DeleteRange(rocksdb::WriteOptions(), db_.cf(cf_events), encode_key(INT64_MIN, 0), end),
                     "delete old events");
    return n;
}

std::size_t event_log::trim_to_bytes(std::uint64_t max_bytes) {
    // Walk newest to oldest, keeping records until the budget is spent; delete the rest.
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
        ++dropped;
    }
    check(it->status(), "size events");
    if (dropped > 0) {
        std::string end = first_dropped;
        end.push_back('\0');  // DeleteRange's end is exclusive
        check(db_.db->DeleteRange(rocksdb::WriteOptions(), db_.cf(cf_events), encode_key(INT64_MIN, 0), end),
              "trim events");
    }
    return dropped;
}

}  // namespace strata::storage

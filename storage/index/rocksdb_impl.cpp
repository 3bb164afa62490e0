// Opening the RocksDB database with all of strata's column families.
#include "storage/index/rocksdb_impl.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/table.h>

#include <stdexcept>

namespace strata::storage {

void check(const rocksdb::Status& s, const char* what) {
    if (!s.ok()) throw std::runtime_error(std::string("metadata index: ") + what + ": " + s.ToString());
}

metadata_index::impl::impl(const std::filesystem::path& dir, bool read_only) {
    rocksdb::DBOptions options;
    options.create_if_missing = !read_only;
    options.create_missing_column_families = !read_only;
    options.max_background_jobs = 2;
    // All memtables together within 32 MiB (flushed past it): upstream manifests written into
    // the index must not grow memory with what an upstream sends (default: 64 MiB per family).
    options.db_write_buffer_size = 32 << 20;
    // Each family's memtable within 8 MiB: RocksDB preallocates the write-ahead log at 1.1 times
    // this, and on a small disk (a tmpfs) that preallocation takes real space from the blobs.
    rocksdb::ColumnFamilyOptions family;
    family.write_buffer_size = 8 << 20;
    // One block cache of 32 MiB for all families (by default each family has its own).
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = rocksdb::NewLRUCache(32 << 20);
    family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    // Manifests of 16 KiB and more are kept in blob files beside the tables: flushes stream them
    // out, and compactions move only references, never reading back a manifest of some MiB.
    rocksdb::ColumnFamilyOptions manifests = family;
    manifests.enable_blob_files = true;
    manifests.min_blob_size = 16 << 10;
    manifests.enable_blob_garbage_collection = true;  // space of deleted manifests comes back
    // Event blocks (tens to hundreds of KiB each, written at the request rate) likewise: each
    // is written once to the log and once to a blob file, and compactions sort only their keys.
    // Retention's range deletes drop the references; a blob file goes when none is left.
    rocksdb::ColumnFamilyOptions events = family;
    events.enable_blob_files = true;
    events.min_blob_size = 0;
    events.enable_blob_garbage_collection = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> columns;
    for (int c = 0; c < cf_count; ++c)
        columns.emplace_back(column_names[c], c == cf_manifests ? manifests : c == cf_events ? events : family);
    rocksdb::DB* raw = nullptr;
    if (read_only) {
        check(rocksdb::DB::OpenForReadOnly(options, dir.string(), columns, &handles, &raw), "open read-only");
    } else {
        std::filesystem::create_directories(dir);
        check(rocksdb::DB::Open(options, dir.string(), columns, &handles, &raw), "open");
    }
    db.reset(raw);
}

}  // namespace strata::storage

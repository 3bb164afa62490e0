// Opening the RocksDB database with all of strata's column families.
#include "storage/rocksdb_impl.hpp"

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
    std::vector<rocksdb::ColumnFamilyDescriptor> columns;
    for (const char* name : column_names) columns.emplace_back(name, rocksdb::ColumnFamilyOptions());
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

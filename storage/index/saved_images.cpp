// saved_images: a key prefix of the default column family, written in batches, read by a seek.
#include "storage/index/saved_images.hpp"

#include "storage/index/rocksdb_impl.hpp"

#include <rocksdb/write_batch.h>

namespace strata::storage {
namespace {

constexpr std::string_view saved_image_prefix = "image/";

std::string key_of(std::string_view key) { return std::string(saved_image_prefix) + std::string(key); }

}  // namespace

void put_saved_images(metadata_index& index, const std::vector<std::pair<std::string, std::string>>& records) {
    auto& db = index.internals();
    rocksdb::WriteBatch batch;
    for (const auto& [key, value] : records) check(batch.Put(db.cf(cf_default), key_of(key), value), "batch saved image");
    check(db.db->Write(rocksdb::WriteOptions(), &batch), "write saved images");
}

bool has_saved_image(const metadata_index& index, std::string_view key) {
    return index.internals().get(cf_default, key_of(key)).has_value();
}

void for_each_saved_image(const metadata_index& index,
                          const std::function<void(std::string_view key, std::string_view value)>& visit) {
    const auto& db = index.internals();
    rocksdb::ReadOptions options;
    options.fill_cache = false;  // a scan of everything: keep the block cache for lookups
    std::unique_ptr<rocksdb::Iterator> it(db.db->NewIterator(options, db.cf(cf_default)));
    for (it->Seek(std::string(saved_image_prefix)); it->Valid() && it->key().starts_with(saved_image_prefix); it->Next()) {
        auto key = it->key().ToStringView();
        key.remove_prefix(saved_image_prefix.size());
        visit(key, it->value().ToStringView());
    }
    check(it->status(), "scan saved images");
}

}  // namespace strata::storage

// saved_images: images that a crawl or an import described (manifest, config, labels, when the
// tag was seen), kept in a data directory's index for the analyses: one record per image,
// opaque to storage, under "image/<key>" in the default column family. Not part of the cache:
// eviction and metadata garbage collection leave them alone.
#pragma once

#include "storage/index/metadata_index.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::storage {

// Writes the records (key, value) in one atomic batch; a key already there is replaced.
void put_saved_images(metadata_index& index, const std::vector<std::pair<std::string, std::string>>& records);

bool has_saved_image(const metadata_index& index, std::string_view key);

// Every record in key order, one at a time (a scan: memory holds one record).
void for_each_saved_image(const metadata_index& index,
                          const std::function<void(std::string_view key, std::string_view value)>& visit);

}  // namespace strata::storage

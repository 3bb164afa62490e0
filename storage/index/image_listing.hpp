// image_listing: the tagged images in the index, a page at a time, with what of each is cached.
#pragma once

#include "storage/index/metadata_index.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::storage {

struct cached_image {
    std::string upstream, repository, tag, digest;
    std::uint64_t cached_bytes = 0;  // of the blobs held now
    std::size_t blobs = 0, missing_blobs = 0;
    bool complete = false;           // every manifest and blob held: it pulls with the upstream gone
    std::int64_t last_pull_ns = 0;   // the latest access of its blobs, or its tag's last check

    // "upstream/repository:tag": the order and the page key.
    std::string key() const { return tag_key({upstream, repository}, tag); }
};

struct image_page {
    std::vector<cached_image> images;
    std::string next;  // the key to pass as `after` for the next page; empty on the last
};

// Up to limit tagged images whose key sorts after `after` (empty: from the start), in key order:
// a seek to `after` in the tags, then contents_of for each: a page costs its own size whatever
// the index holds. Synchronous RocksDB reads.
image_page list_images(const metadata_index& index, std::string_view after, std::size_t limit);

}  // namespace strata::storage

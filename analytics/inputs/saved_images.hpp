// saved_images: images kept in a strata data directory's index by `strata analyze import` and
// `strata analyze crawl --data-dir`, and read back one at a time, so that 300k images need
// neither 300k files nor all of them in memory at once.
#pragma once

#include "analytics/inputs/image.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::storage {
class metadata_index;
}

namespace strata::analytics {

// An image as one record: names, platform, created and seen times, config, layers, history and
// labels (what the analyses read of its manifest and config).
std::string encode_saved_image(const image& img);
// The image in a record, or nullopt for bytes that are not one this version wrote (truncated,
// a length past the end, trailing bytes): never reads past the record.
std::optional<image> decode_saved_image(std::string_view record);
// The same into an image that is reused from record to record (its strings and vectors keep
// their memory: reading 300k records then allocates almost nothing); false, with img in an
// unspecified state, for a record that is not one.
bool decode_saved_image_into(std::string_view record, image& img);

// The key an image is saved under: its name, digest and platform (as the catalog counts it once).
std::string saved_image_key(const image& img);

// Saves the images, seen at seen_s, in batches; a saved image with the same key is replaced.
// Returns how many were saved.
std::size_t save_images(storage::metadata_index& index, const std::vector<image>& images, std::int64_t seen_s);

// Every saved image in key order (registry, repository, tag), decoded one at a time into the
// same image (valid during the call; visit may move from it); returns the number of records
// that could not be decoded (skipped).
std::size_t for_each_saved_image(const storage::metadata_index& index, const std::function<void(image&)>& visit);

}  // namespace strata::analytics

// image_catalog: the images an analysis runs over, gathered from manifest files, OCI image
// layouts, skopeo outputs or strata's own store, with counts of what could not be used.
#pragma once

#include "analytics/inputs/image.hpp"
#include "analytics/inputs/input_limits.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace strata::storage {
class metadata_index;
class blob_store;
}  // namespace strata::storage

namespace strata::analytics {

struct image_import_counts {
    std::size_t files = 0, unreadable_files = 0, images = 0, duplicates = 0;
    std::size_t indexes_without_images = 0;  // an index whose platform manifests were not given
    std::size_t invalid_manifests = 0;       // malformed JSON, wrong types, bad digests or sizes
    std::size_t missing_configs = 0, invalid_configs = 0;  // images kept, without history
    std::size_t digest_mismatches = 0;       // OCI layout blobs whose bytes do not match
};

// Not thread-safe. Each image counts once by name, digest and platform; first source wins.
class image_catalog {
public:
    // Adds an image; returns false (counted as a duplicate) when the same one is known.
    bool add(image img);
    // Adds what another catalog read (its images, counts and notes), as if read here.
    void absorb(image_catalog&& part);
    // Adds labels to every image read so far (an image's own value wins), to group by them.
    void label_all(const label_set& labels);
    // Keeps the first few error messages, with where they came from, for the report.
    void note(std::string where, const std::string& what);

    const std::vector<image>& images() const noexcept { return images_; }
    // The images read so far, moved out; the catalog still knows them (a later copy is still a
    // duplicate) and keeps counting.
    std::vector<image> take_images() { return std::exchange(images_, {}); }
    image_import_counts& counts() noexcept { return counts_; }
    const image_import_counts& counts() const noexcept { return counts_; }
    const std::vector<std::string>& errors() const noexcept { return errors_; }

private:
    std::vector<image> images_;
    std::unordered_set<std::string> seen_;
    image_import_counts counts_;
    std::vector<std::string> errors_;
};

// Files and directories, each read for what it is: a `manifests-config-layers.json` bundle
// (registry and repository from its path: `<registry>/<repository>/manifests-config-layers.json`),
// an OCI image layout directory (`oci-layout`, `index.json`, `blobs/`), or a manifest from
// `skopeo inspect --raw` (its config from `NAME.config.json` beside `NAME.json` or
// `NAME.manifest.json`). Other directories are searched for these. A file that decompresses to
// more than max_document_bytes is counted unreadable and noted ("file PATH: larger than N
// bytes"), read no further. Never throws for bad input.
// Files are read on every usable core (parallel_files) and absorbed in order. after_file, when
// given, is called with the catalog after each file is absorbed: a caller that saves images as
// they come can take them out there (take_images).
void import_image_files(image_catalog& catalog, const std::vector<std::filesystem::path>& paths,
                        std::size_t max_document_bytes = input_limits{}.max_document_bytes,
                        const std::function<void(image_catalog&)>& after_file = {});

// Every image strata has cached: tags and their manifests (all platforms of an index that
// are cached), configs from the blob store when cached. Registry is the upstream name.
void import_store(image_catalog& catalog, const storage::metadata_index& index, const storage::blob_store& blobs);

}  // namespace strata::analytics

// base_images: for each image, the known base image whose whole layer list is the longest
// prefix of its own, found from layer digests alone (no layer is pulled); and how many images
// each base family carries.
#pragma once

#include "analytics/inputs/image.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace strata::analytics {

// Repositories whose images are known bases when the user names none: the common Linux
// distributions and busybox, on Docker Hub and Red Hat's registry.
const std::vector<std::string>& default_base_repositories();

struct image_base {
    const image* img = nullptr;
    const image* base = nullptr;  // nullptr: no known base is a prefix of img
    std::size_t base_layers = 0;  // = base->layers.size()
    std::uint64_t added_bytes = 0;  // img's layers past the base
};

struct base_family_count {
    std::string family;  // the base's repository without "library/": "debian", "nvidia/cuda"
    std::size_t images = 0;
    double share = 0;    // of the images analysed
};

struct base_image_result {
    std::size_t known_bases = 0;     // images of the base repositories (not analysed themselves)
    std::size_t images = 0;          // images analysed: every other image
    std::size_t without_base = 0;
    double share_without_base = 0;
    std::vector<image_base> per_image;         // in the catalog's order
    std::vector<base_family_count> families;   // most images first
};

// base_repositories: "debian" (docker.io/library/debian), "nvidia/cuda" (docker.io/nvidia/cuda)
// or "registry.host/path" as given; an image is a known base when its registry and repository
// match one. A base counts for an image when its whole layer list equals the image's first
// layers (compared digest by digest) and the platforms agree; the longest such base wins,
// ties going to the first in name order. A base from the image's own repository with the same
// layers is the same image under another tag, and does not count. Linear in the layers.
// Throws std::invalid_argument naming a base repository that is not a valid name.
base_image_result base_images(const std::vector<image>& images, const std::vector<std::string>& base_repositories);

// Throws std::invalid_argument naming the first entry that is not a repository name.
void check_base_repositories(const std::vector<std::string>& base_repositories);

// The family a base belongs to.
std::string base_family(const image& base);

}  // namespace strata::analytics

// Image manifests and indexes: their media types and the descriptors they reference.
#pragma once

#include "storage/oci/digest.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::storage {

namespace media_type {
inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_manifest_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
}  // namespace media_type

// True for the four manifest media types strata serves.
bool is_manifest_media_type(std::string_view type) noexcept;
// True for the OCI index and the Docker manifest list.
bool is_index_media_type(std::string_view type) noexcept;

struct descriptor {
    std::string media_type;
    digest digest_value;
    std::uint64_t size = 0;
    std::string platform;  // "os/architecture[/variant]" for index entries, else empty
};

// What a manifest body says about the content it references.
struct parsed_manifest {
    std::string media_type;              // from the body, or the type it was served with
    std::vector<descriptor> children;    // index: manifests; image: config then layers
};

// Parses a manifest body served with content type served_type. Returns
// errc::manifest_invalid for a body that is not a JSON object of a supported type or
// whose descriptors are malformed (bad digest, negative or non-integer size).
result<parsed_manifest> parse_manifest(std::string_view body, std::string_view served_type);

}  // namespace strata::storage

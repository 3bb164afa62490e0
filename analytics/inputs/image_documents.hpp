// image_documents: reading an image manifest, an index and an image config (elements of a
// json_document, parsed by simdjson) into an image. Where a key repeats, the last member counts.
#pragma once

#include "analytics/inputs/image.hpp"
#include "analytics/inputs/json_document.hpp"

#include <optional>
#include <string>
#include <vector>

namespace strata::analytics {

// True for an OCI index or Docker manifest list (by mediaType, or by a manifests[] array).
bool is_index_document(simdjson::dom::element manifest);

// A child of an index: the manifest's digest and its "os/arch[/variant]".
struct index_entry {
    std::string digest;
    std::string platform;
};

// The children of an index. Returns an error message for a malformed index.
std::optional<std::string> read_index(simdjson::dom::element index, std::vector<index_entry>& out);

// The config digest and layers of an image manifest (Docker schema 2 or OCI). Every layer
// needs a valid sha256 or sha512 digest and a non-negative integer size. Returns an error
// message, and leaves img untouched, for anything else.
std::optional<std::string> read_image_manifest(simdjson::dom::element manifest, image& img, std::string& config_digest);

// created, platform and history from an image config. Returns an error message, and leaves
// img untouched, for a config that is not an object or has fields of the wrong type.
std::optional<std::string> read_image_config(simdjson::dom::element config, image& img);
}  // namespace strata::analytics

// image_documents: reading an image manifest and an image config (as JSON values) into an image.
#pragma once

#include "analytics/inputs/image.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace strata::analytics {

// True for an OCI index or Docker manifest list (by mediaType, or by a manifests[] array).
bool is_index_document(const nlohmann::json& manifest);

// A child of an index: the manifest's digest and its "os/arch[/variant]".
struct index_entry {
    std::string digest;
    std::string platform;
};

// The children of an index. Returns an error message for a malformed index.
std::optional<std::string> read_index(const nlohmann::json& index, std::vector<index_entry>& out);

// The config digest and layers of an image manifest (Docker schema 2 or OCI). Every layer
// needs a valid sha256 or sha512 digest and a non-negative integer size. Returns an error message, and
// leaves img untouched, for anything else.
std::optional<std::string> read_image_manifest(const nlohmann::json& manifest, image& img, std::string& config_digest);

// created, platform and history from an image config. Returns an error message, and leaves
// img untouched, for a config that is not an object or has fields of the wrong type.
std::optional<std::string> read_image_config(const nlohmann::json& config, image& img);

}  // namespace strata::analytics

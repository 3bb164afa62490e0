// reference_image_documents: the nlohmann readers of manifests, indexes and configs that the
// importers used before simdjson, kept as the independent reference the simdjson readers are
// checked against (reference_import_bundle reads a manifests-config-layers.json bundle as the
// old importer did).
#pragma once

#include "analytics/inputs/image.hpp"
#include "analytics/inputs/image_documents.hpp"
#include "analytics/inputs/k8s_events.hpp"
#include "storage/oci/digest.hpp"
#include "storage/oci/manifest.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace strata::analytics::reference {

using json = nlohmann::json;

inline std::string media_type_of(const json& doc) {
    const auto it = doc.find("mediaType");
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

inline std::optional<std::string> checked_digest(const json& descriptor) {
    const auto it = descriptor.find("digest");
    if (it == descriptor.end() || !it->is_string()) return std::nullopt;
    const auto text = it->get<std::string>();
    if (!storage::digest::parse(text)) return std::nullopt;
    return text;
}

inline std::optional<std::uint64_t> checked_size(const json& descriptor) {
    const auto it = descriptor.find("size");
    if (it == descriptor.end() || !it->is_number_integer()) return std::nullopt;
    if (it->is_number_unsigned()) return it->get<std::uint64_t>();
    const auto v = it->get<std::int64_t>();
    if (v < 0) return std::nullopt;
    return static_cast<std::uint64_t>(v);
}

inline std::string optional_string(const json& obj, const char* key, bool& ok) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return {};
    if (!it->is_string()) ok = false;
    return it->is_string() ? it->get<std::string>() : std::string();
}

inline std::optional<std::string> read_history(const json& config, std::vector<history_step>& out) {
    const auto it = config.find("history");
    if (it == config.end() || it->is_null()) return std::nullopt;
    if (!it->is_array()) return "config history is not an array";
    for (const auto& entry : *it) {
        if (!entry.is_object()) return "config history entry is not an object";
        bool ok = true;
        history_step step;
        step.created_by = optional_string(entry, "created_by", ok);
        if (const auto e = entry.find("empty_layer"); e != entry.end() && !e->is_null()) {
            if (!e->is_boolean()) return "config history empty_layer is not a boolean";
            step.empty_layer = e->get<bool>();
        }
        if (!ok) return "config history created_by is not a string";
        out.push_back(std::move(step));
    }
    return std::nullopt;
}

inline bool is_index_document(const json& manifest) {
    if (!manifest.is_object()) return false;
    const auto type = media_type_of(manifest);
    if (!type.empty()) return storage::is_index_media_type(type);
    const auto it = manifest.find("manifests");
    return it != manifest.end() && it->is_array();
}

inline std::optional<std::string> read_index(const json& index, std::vector<index_entry>& out) {
    const auto it = index.find("manifests");
    if (it == index.end() || !it->is_array()) return "index has no manifests array";
    std::vector<index_entry> entries;
    for (const auto& m : *it) {
        if (!m.is_object()) return "index entry is not an object";
        const auto d = checked_digest(m);
        if (!d) return "index entry has no valid sha256 or sha512 digest";
        index_entry e{*d, {}};
        if (const auto p = m.find("platform"); p != m.end() && p->is_object()) {
            bool ok = true;
            e.platform = optional_string(*p, "os", ok) + '/' + optional_string(*p, "architecture", ok);
            if (const auto v = optional_string(*p, "variant", ok); !v.empty()) e.platform += '/' + v;
            if (!ok) return "index entry platform has fields that are not strings";
        }
        entries.push_back(std::move(e));
    }
    out.insert(out.end(), entries.begin(), entries.end());
    return std::nullopt;
}

inline std::optional<std::string> read_image_manifest(const json& manifest, image& img, std::string& config_digest) {
    if (!manifest.is_object()) return "manifest is not a JSON object";
    if (is_index_document(manifest)) return "an index, not an image manifest";
    const auto config = manifest.find("config");
    if (config == manifest.end() || !config->is_object()) return "manifest has no config descriptor";
    const auto cd = checked_digest(*config);
    if (!cd) return "manifest config has no valid sha256 or sha512 digest";
    const auto layers = manifest.find("layers");
    if (layers == manifest.end() || !layers->is_array()) return "manifest has no layers array";
    std::vector<layer> out;
    for (const auto& l : *layers) {
        if (!l.is_object()) return "manifest layer is not an object";
        const auto d = checked_digest(l);
        if (!d) return "manifest layer has no valid sha256 or sha512 digest";
        const auto size = checked_size(l);
        if (!size) return "manifest layer size is not a non-negative integer";
        out.push_back({*d, *size});
    }
    img.layers = std::move(out);
    img.config = {*cd, checked_size(*config).value_or(0)};
    config_digest = *cd;
    return std::nullopt;
}

inline std::optional<std::string> read_image_config(const json& config, image& img) {
    if (!config.is_object()) return "config is not a JSON object";
    bool ok = true;
    const auto created = optional_string(config, "created", ok);
    const auto os = optional_string(config, "os", ok);
    const auto arch = optional_string(config, "architecture", ok);
    if (!ok) return "config created, os or architecture is not a string";
    std::vector<history_step> history;
    if (auto error = read_history(config, history)) return error;
    img.history = std::move(history);
    img.created_s.reset();
    // Reproducible builds stamp 1970 or year 1; neither says when the image was made.
    if (const auto t = parse_rfc3339(created); t && *t > 0) img.created_s = *t;
    if (!os.empty() || !arch.empty()) img.platform = os + '/' + arch;
    return std::nullopt;
}

// A bundle's images as the old importer read them: tag key -> manifest (sorted by key, the last
// of a repeated key winning), its config when the bundle has one. Indexes and invalid
// manifests are left out.
inline std::vector<image> read_bundle(const json& doc) {
    std::vector<image> out;
    const auto manifests = doc.find("manifests");
    if (!doc.is_object() || manifests == doc.end() || !manifests->is_object()) return out;
    const auto configs = doc.find("configs");
    for (const auto& [key, manifest] : manifests->items()) {
        image img;
        img.tag = key;
        std::string config_digest;
        if (is_index_document(manifest) || read_image_manifest(manifest, img, config_digest)) continue;
        if (configs != doc.end() && configs->is_object())
            if (const auto c = configs->find(key); c != configs->end()) (void)read_image_config(*c, img);
        out.push_back(std::move(img));
    }
    return out;
}

}  // namespace strata::analytics::reference

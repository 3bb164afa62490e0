// image_documents: strict readers for manifests, indexes and configs; wrong types are errors.
#include "analytics/inputs/image_documents.hpp"

#include "analytics/inputs/k8s_events.hpp"
#include "storage/oci/digest.hpp"
#include "storage/oci/manifest.hpp"

namespace strata::analytics {
namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;

std::optional<element> member(element of, std::string_view key) { return member_of(of, key); }

bool is_null(const std::optional<element>& e) { return !e || e->is_null(); }

std::optional<std::string> string_of(const std::optional<element>& e) {
    std::string_view s;
    if (!e || e->get_string().get(s) != SUCCESS) return std::nullopt;
    return std::string(s);
}

std::optional<array> array_of(const std::optional<element>& e) {
    array a;
    if (!e || e->get_array().get(a) != SUCCESS) return std::nullopt;
    return a;
}

std::string media_type_of(element doc) { return string_of(member(doc, "mediaType")).value_or(""); }

std::optional<std::string> checked_digest(element descriptor) {
    auto text = string_of(member(descriptor, "digest"));
    if (!text || !storage::digest::parse(*text)) return std::nullopt;
    return text;
}

// A non-negative integer up to 2^64 - 1 (a double, even 5.0, is not one).
std::optional<std::uint64_t> checked_size(element descriptor) {
    const auto size = member(descriptor, "size");
    std::uint64_t v = 0;
    if (!size || !(size->is_int64() || size->is_uint64()) || size->get_uint64().get(v) != SUCCESS) return std::nullopt;
    return v;
}

// A member that may be missing or null; ok turns false when it is there and not a string.
std::string optional_string(element obj, const char* key, bool& ok) {
    const auto e = member(obj, key);
    if (is_null(e)) return {};
    auto s = string_of(e);
    if (!s) ok = false;
    return s.value_or("");
}

std::optional<std::string> read_history(element config, std::vector<history_step>& out) {
    const auto history = member(config, "history");
    if (is_null(history)) return std::nullopt;
    const auto entries = array_of(history);
    if (!entries) return "config history is not an array";
    for (const auto entry : *entries) {
        if (!entry.is_object()) return "config history entry is not an object";
        bool ok = true;
        history_step step;
        step.created_by = optional_string(entry, "created_by", ok);
        if (const auto e = member(entry, "empty_layer"); !is_null(e)) {
            if (e->get_bool().get(step.empty_layer) != SUCCESS) return "config history empty_layer is not a boolean";
        }
        if (!ok) return "config history created_by is not a string";
        out.push_back(std::move(step));
    }
    return std::nullopt;
}

}  // namespace

bool is_index_document(element manifest) {
    if (!manifest.is_object()) return false;
    const auto type = media_type_of(manifest);
    if (!type.empty()) return storage::is_index_media_type(type);
    return array_of(member(manifest, "manifests")).has_value();
}

std::optional<std::string> read_index(element index, std::vector<index_entry>& out) {
    const auto manifests = array_of(member(index, "manifests"));
    if (!manifests) return "index has no manifests array";
    std::vector<index_entry> entries;
    for (const auto m : *manifests) {
        if (!m.is_object()) return "index entry is not an object";
        const auto d = checked_digest(m);
        if (!d) return "index entry has no valid sha256 or sha512 digest";
        index_entry e{*d, {}};
        if (const auto p = member(m, "platform"); p && p->is_object()) {
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

std::optional<std::string> read_image_manifest(element manifest, image& img, std::string& config_digest) {
    if (!manifest.is_object()) return "manifest is not a JSON object";
    if (is_index_document(manifest)) return "an index, not an image manifest";
    const auto config = member(manifest, "config");
    if (!config || !config->is_object()) return "manifest has no config descriptor";
    const auto cd = checked_digest(*config);
    if (!cd) return "manifest config has no valid sha256 or sha512 digest";
    const auto layers = array_of(member(manifest, "layers"));
    if (!layers) return "manifest has no layers array";
    std::vector<layer> out;
    for (const auto l : *layers) {
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

std::optional<std::string> read_image_config(element config, image& img) {
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

}  // namespace strata::analytics

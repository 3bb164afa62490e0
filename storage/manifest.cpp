// parse_manifest: reads the descriptors out of OCI and Docker schema 2 manifests and indexes.
#include "storage/manifest.hpp"

#include "storage/json_limits.hpp"

#include <nlohmann/json.hpp>

namespace strata::storage {
namespace {

using json = nlohmann::json;

result<descriptor> parse_descriptor(const json& j) {
    if (!j.is_object()) return errc::manifest_invalid;
    const auto d = j.find("digest");
    const auto size = j.find("size");
    if (d == j.end() || !d->is_string() || size == j.end() || !size->is_number_unsigned())
        return errc::manifest_invalid;
    auto parsed = digest::parse(d->get<std::string>());
    if (!parsed) return errc::manifest_invalid;
    descriptor out{{}, *parsed, size->get<std::uint64_t>(), {}};
    if (auto t = j.find("mediaType"); t != j.end() && t->is_string()) out.media_type = t->get<std::string>();
    if (auto p = j.find("platform"); p != j.end() && p->is_object()) {
        const auto field = [&](const char* key) {
            auto f = p->find(key);
            return f != p->end() && f->is_string() ? f->get<std::string>() : std::string();
        };
        out.platform = field("os") + "/" + field("architecture");
        if (auto variant = field("variant"); !variant.empty()) out.platform += "/" + variant;
    }
    return out;
}

result<void> append_descriptors(const json& doc, const char* key, std::vector<descriptor>& out) {
    const auto list = doc.find(key);
    if (list == doc.end()) return {};
    if (!list->is_array()) return errc::manifest_invalid;
    for (const auto& entry : *list) {
        auto d = parse_descriptor(entry);
        if (!d) return d.error();
        out.push_back(std::move(*d));
    }
    return {};
}

}  // namespace

bool is_manifest_media_type(std::string_view type) noexcept {
    return type == media_type::oci_manifest || type == media_type::oci_index ||
           type == media_type::docker_manifest || type == media_type::docker_manifest_list;
}

bool is_index_media_type(std::string_view type) noexcept {
    return type == media_type::oci_index || type == media_type::docker_manifest_list;
}

result<parsed_manifest> parse_manifest(std::string_view body, std::string_view served_type) {
    if (!json_nesting_within(body)) return errc::manifest_invalid;
    const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) return errc::manifest_invalid;
    parsed_manifest out;
    if (auto t = doc.find("mediaType"); t != doc.end() && t->is_string())
        out.media_type = t->get<std::string>();
    else
        out.media_type = std::string(served_type);
    if (!is_manifest_media_type(out.media_type)) return errc::manifest_invalid;

    if (is_index_media_type(out.media_type)) {
        if (!doc.contains("manifests")) return errc::manifest_invalid;
        if (auto r = append_descriptors(doc, "manifests", out.children); !r) return r.error();
        return out;
    }
    const auto config = doc.find("config");
    if (config == doc.end()) return errc::manifest_invalid;
    auto c = parse_descriptor(*config);
    if (!c) return c.error();
    out.children.push_back(std::move(*c));
    if (auto r = append_descriptors(doc, "layers", out.children); !r) return r.error();
    return out;
}

}  // namespace strata::storage

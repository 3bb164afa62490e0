// Referrers indexes: reading one from outside descriptor by descriptor, and writing strata's own.
#include "storage/oci/referrers.hpp"

#include "storage/oci/manifest.hpp"
#include "storage/untrusted/json_limits.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace strata::storage {
namespace {

using json = nlohmann::json;

bool restricted_name(std::string_view s) noexcept {
    if (s.empty() || s.size() > 127) return false;
    const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
    if (!alnum(s.front())) return false;
    for (const char c : s)
        if (!alnum(c) && std::string_view("!#$&-^_.+").find(c) == std::string_view::npos) return false;
    return true;
}

// An annotations object of string values, or nullopt when it is anything else.
std::optional<std::vector<std::pair<std::string, std::string>>> annotations_of(const json& d) {
    std::vector<std::pair<std::string, std::string>> out;
    const auto it = d.find("annotations");
    if (it == d.end()) return out;
    if (!it->is_object()) return std::nullopt;
    for (const auto& [key, value] : it->items()) {
        if (!value.is_string()) return std::nullopt;
        out.emplace_back(key, value.get<std::string>());
    }
    return out;
}

std::optional<referrer> referrer_of(const json& d) {
    if (!d.is_object()) return std::nullopt;
    const auto media = d.find("mediaType"), dig = d.find("digest"), size = d.find("size");
    if (media == d.end() || !media->is_string() || !is_media_type(media->get_ref<const std::string&>()))
        return std::nullopt;
    if (dig == d.end() || !dig->is_string() || size == d.end() || !size->is_number_unsigned()) return std::nullopt;
    auto parsed = digest::parse(dig->get_ref<const std::string&>());
    if (!parsed) return std::nullopt;
    std::string artifact_type;
    if (const auto a = d.find("artifactType"); a != d.end()) {
        if (!a->is_string() || !is_media_type(a->get_ref<const std::string&>())) return std::nullopt;
        artifact_type = a->get<std::string>();
    }
    auto annotations = annotations_of(d);
    if (!annotations) return std::nullopt;
    return referrer{media->get<std::string>(), std::move(*parsed), size->get<std::uint64_t>(), std::move(artifact_type),
                    std::move(*annotations)};
}

}  // namespace

bool is_media_type(std::string_view text) noexcept {
    const auto slash = text.find('/');
    return slash != std::string_view::npos && restricted_name(text.substr(0, slash)) &&
           restricted_name(text.substr(slash + 1));
}

result<referrer_list> parse_referrers(std::string_view body) {
    if (!json_nesting_within(body)) return errc::manifest_invalid;
    const auto doc = json::parse(body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return errc::manifest_invalid;
    const auto manifests = doc.find("manifests");
    if (manifests == doc.end() || !manifests->is_array()) return errc::manifest_invalid;
    referrer_list out;
    out.entries.reserve(manifests->size());
    for (const auto& d : *manifests) {
        if (auto r = referrer_of(d)) out.entries.push_back(std::move(*r));
        else ++out.dropped;
    }
    return out;
}

std::string referrers_index(const std::vector<referrer>& refs, std::string_view artifact_type) {
    json manifests = json::array();
    for (const auto& r : refs) {
        if (!artifact_type.empty() && r.artifact_type != artifact_type) continue;
        json d = {{"mediaType", r.media_type}, {"digest", r.digest_value.str()}, {"size", r.size}};
        if (!r.artifact_type.empty()) d["artifactType"] = r.artifact_type;
        if (!r.annotations.empty()) {
            json a = json::object();
            for (const auto& [key, value] : r.annotations) a[key] = value;
            d["annotations"] = std::move(a);
        }
        manifests.push_back(std::move(d));
    }
    const json index = {{"schemaVersion", 2}, {"mediaType", media_type::oci_index}, {"manifests", std::move(manifests)}};
    // Annotations from outside may hold invalid UTF-8: replaced, never a throw.
    return index.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string referrers_tag(const digest& subject) {
    constexpr std::size_t max_encoded = 64;  // the spec's limit, which keeps a sha512 tag within 128 characters
    return std::string(algorithm_name(subject.algorithm())) + "-" + std::string(subject.hex().substr(0, max_encoded));
}

}  // namespace strata::storage

// pins: parsing pin names and resolving them through the index to the digests they cover.
#include "storage/pins.hpp"

#include "storage/manifest.hpp"

namespace strata::storage {
namespace {

constexpr int max_index_depth = 4;  // an index of indexes is legal; a deeper chain is not useful

void add_manifest_tree(const metadata_index& index, const digest& d, int depth,
                       std::unordered_set<std::string>& out) {
    if (!out.insert(d.str()).second || depth > max_index_depth) return;
    const auto record = index.manifest(d);
    if (!record) return;
    const auto parsed = parse_manifest(record->body, record->media_type);
    if (!parsed) return;
    for (const auto& child : parsed->children) {
        if (is_manifest_media_type(child.media_type)) add_manifest_tree(index, child.digest_value, depth + 1, out);
        else out.insert(child.digest_value.str());
    }
}

}  // namespace

std::optional<pin> parse_pin(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    const auto upstream = text.substr(0, slash);
    auto rest = text.substr(slash + 1);
    std::string_view reference = "latest";
    if (const auto at = rest.find('@'); at != std::string_view::npos) {
        reference = rest.substr(at + 1);
        rest = rest.substr(0, at);
    } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos && rest.find('/', colon) == rest.npos) {
        reference = rest.substr(colon + 1);
        rest = rest.substr(0, colon);
        if (!is_valid_tag(reference)) return std::nullopt;
    }
    if (!is_valid_repository(rest)) return std::nullopt;
    auto ref = manifest_reference::parse(reference);
    if (!ref) return std::nullopt;
    return pin{{std::string(upstream), std::string(rest)}, std::move(*ref)};
}

std::unordered_set<std::string> pinned_digests(const metadata_index& index, const std::vector<pin>& pins) {
    std::unordered_set<std::string> out;
    for (const auto& p : pins) {
        if (p.reference.is_digest()) {
            add_manifest_tree(index, p.reference.by_digest(), 0, out);
            continue;
        }
        const auto tag = index.tag(p.repo, p.reference.tag());
        if (!tag) continue;
        if (auto d = digest::parse(tag->digest)) add_manifest_tree(index, *d, 0, out);
    }
    return out;
}

}  // namespace strata::storage

// image_contents: a depth-limited walk over manifests in the index.
#include "storage/index/image_contents.hpp"

#include "storage/oci/manifest.hpp"

#include <unordered_set>

namespace strata::storage {
namespace {

constexpr int max_index_depth = 4;  // an index of indexes is legal; a deeper chain is not useful

struct walker {
    const metadata_index& index;
    image_contents out;
    std::unordered_set<std::string> seen;

    void manifest(const digest& d, int depth) {
        if (!seen.insert(d.str()).second || depth > max_index_depth) return;
        const auto record = index.manifest(d);
        if (!record) return out.missing_manifests.push_back(d.str());
        out.manifests.push_back(d.str());
        const auto parsed = parse_manifest(record->body, record->media_type);
        if (!parsed) return;
        for (const auto& child : parsed->children) {
            if (is_manifest_media_type(child.media_type)) {
                manifest(child.digest_value, depth + 1);
            } else if (seen.insert(child.digest_value.str()).second) {
                out.blobs.push_back(child.digest_value.str());
                if (!index.blob(child.digest_value)) out.missing_blobs.push_back(child.digest_value.str());
            }
        }
    }
};

}  // namespace

image_contents contents_of(const metadata_index& index, const digest& manifest) {
    walker w{index, {}, {}};
    w.manifest(manifest, 0);
    return std::move(w.out);
}

}  // namespace strata::storage

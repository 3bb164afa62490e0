// store_import: the images in strata's own cache, from its index (tags, manifests) and blob store.
#include "analytics/inputs/image_catalog.hpp"
#include "analytics/inputs/image_documents.hpp"
#include "analytics/inputs/input_stream.hpp"

#include "storage/blobs/blob_store.hpp"
#include "storage/oci/manifest.hpp"
#include "storage/index/metadata_index.hpp"

#include <set>

namespace strata::analytics {
namespace {

constexpr std::size_t max_config_bytes = std::size_t{16} << 20;

struct store_reader {
    image_catalog& catalog;
    const storage::metadata_index& index;
    const storage::blob_store& blobs;
    std::set<std::string> visited;  // manifest digests already turned into images

    std::optional<json_document> manifest(const std::string& digest) {
        const auto parsed = storage::digest::parse(digest);
        if (!parsed) return std::nullopt;
        const auto record = index.manifest(*parsed);
        if (!record) return std::nullopt;
        return json_document::parse(record->body);
    }

    std::optional<json_document> config(const std::string& digest) {
        const auto parsed = storage::digest::parse(digest);
        if (!parsed || !blobs.contains(*parsed)) return std::nullopt;
        const auto file = read_input_file(blobs.path_of(*parsed), max_config_bytes);
        if (!file.text) {
            catalog.note("store " + digest, file.error);
            return std::nullopt;
        }
        if (storage::digest_of(*file.text, parsed->algorithm()) != *parsed) return std::nullopt;
        return json_document::parse(*file.text);
    }

    void add(const std::string& digest, image base, int depth) {
        const auto doc = manifest(digest);
        if (!doc) return;  // a child of an index that was never pulled
        if (is_index_document(doc->root())) {
            std::vector<index_entry> children;
            if (depth > 1 || read_index(doc->root(), children)) {
                ++catalog.counts().invalid_manifests;
                return;
            }
            for (const auto& child : children) {
                base.platform = child.platform;
                add(child.digest, base, depth + 1);
            }
            return;
        }
        visited.insert(digest);
        base.digest = digest;
        std::string config_digest;
        if (auto error = read_image_manifest(doc->root(), base, config_digest)) {
            ++catalog.counts().invalid_manifests;
            catalog.note("store " + digest, *error);
            return;
        }
        if (const auto c = config(config_digest)) {
            if (auto error = read_image_config(c->root(), base)) {
                ++catalog.counts().invalid_configs;
                catalog.note("store " + config_digest, *error);
            }
        } else {
            ++catalog.counts().missing_configs;
        }
        catalog.add(std::move(base));
    }
};

}  // namespace

void import_store(image_catalog& catalog, const storage::metadata_index& index, const storage::blob_store& blobs) {
    store_reader reader{catalog, index, blobs, {}};
    std::vector<std::pair<image, std::string>> tagged;
    index.for_each_tag([&](const storage::repository_key& repo, std::string_view tag, const storage::tag_record& r) {
        tagged.push_back({image{.registry = repo.upstream, .repository = repo.repository, .tag = std::string(tag)},
                          r.digest});
    });
    for (auto& [base, digest] : tagged) reader.add(digest, std::move(base), 0);
    // Images pulled only by digest: no tag names them, and the index does not keep their
    // repository beside the manifest.
    std::vector<std::string> untagged;
    index.for_each_manifest([&](std::string_view digest, const storage::manifest_record& r) {
        if (!storage::is_index_media_type(r.media_type) && !reader.visited.contains(std::string(digest)))
            untagged.emplace_back(digest);
    });
    for (const auto& digest : untagged) reader.add(digest, image{.registry = "store", .repository = "by-digest"}, 0);
}

}  // namespace strata::analytics

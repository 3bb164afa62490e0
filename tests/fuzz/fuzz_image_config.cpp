// fuzz_image_config: image configs, manifests and indexes as the analytics importers read them
// (analytics/inputs/image_documents, after analytics/inputs/json_document's simdjson parse).
#include "analytics/inputs/image_documents.hpp"
#include "storage/oci/digest.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace strata;
using namespace strata::analytics;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parsed = json_document::parse(fuzz::as_text(data, size));
    if (!parsed) return 0;
    const auto doc = parsed->root();

    image img;
    img.platform = "before";
    if (auto error = read_image_config(doc, img)) {
        FUZZ_CHECK(!error->empty());
        FUZZ_CHECK(img.platform == "before" && img.history.empty());  // untouched on error
    } else {
        if (img.created_s) FUZZ_CHECK(*img.created_s > 0);
    }

    image manifest_img;
    std::string config_digest;
    if (auto error = read_image_manifest(doc, manifest_img, config_digest)) {
        FUZZ_CHECK(!error->empty());
        FUZZ_CHECK(manifest_img.layers.empty() && config_digest.empty());
    } else {
        FUZZ_CHECK(!is_index_document(doc));
        FUZZ_CHECK(storage::digest::parse(config_digest).has_value());
        FUZZ_CHECK(manifest_img.config.digest == config_digest);
        for (const auto& l : manifest_img.layers) FUZZ_CHECK(storage::digest::parse(l.digest).has_value());
    }

    std::vector<index_entry> entries;
    if (auto error = read_index(doc, entries)) {
        FUZZ_CHECK(entries.empty());
    } else {
        for (const auto& e : entries) FUZZ_CHECK(storage::digest::parse(e.digest).has_value());
    }
    return 0;
}

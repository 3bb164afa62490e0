// The simdjson importer against the nlohmann readers it replaced: the same images, field for
// field, from every bundle of the fixtures and of the study (../shared/data/manifests).
#include "analytics/inputs/image_catalog.hpp"
#include "tests/analytics/inputs/reference_image_documents.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace strata::analytics;

namespace {

bool same_image(const image& a, const image& b) {
    const auto same_steps = std::equal(a.history.begin(), a.history.end(), b.history.begin(), b.history.end(),
                                       [](const history_step& x, const history_step& y) {
                                           return x.created_by == y.created_by && x.empty_layer == y.empty_layer;
                                       });
    const auto same_layers = std::equal(a.layers.begin(), a.layers.end(), b.layers.begin(), b.layers.end(),
                                        [](const layer& x, const layer& y) { return x.digest == y.digest && x.size == y.size; });
    return same_steps && same_layers && a.config.digest == b.config.digest && a.config.size == b.config.size &&
           a.created_s == b.created_s && a.platform == b.platform;
}

// Bundles read, images compared, images that differ.
struct comparison {
    std::size_t bundles = 0, images = 0, differing = 0;
};

comparison compare_bundles(const fs::path& root) {
    comparison out;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.path().filename() != "manifests-config-layers.json") continue;
        ++out.bundles;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        const auto expected = reference::read_bundle(nlohmann::json::parse(text.str()));
        image_catalog catalog;
        import_image_files(catalog, {entry.path()});
        const auto& got = catalog.images();
        out.images += expected.size();
        if (got.size() != expected.size()) {
            out.differing += expected.size();
            continue;
        }
        for (std::size_t i = 0; i < got.size(); ++i)
            if (!same_image(got[i], expected[i])) {
                ++out.differing;
                UNSCOPED_INFO(entry.path().string() << " image " << i << " differs");
            }
    }
    return out;
}

}  // namespace

TEST_CASE("the simdjson importer and the nlohmann reference read the same images from every bundle") {
    const auto fixtures = compare_bundles(fs::path(STRATA_SOURCE_DIR) / "tests" / "fixtures" / "manifests");
    CHECK(fixtures.bundles == 7);
    CHECK(fixtures.images > 7);
    CHECK(fixtures.differing == 0);
    const auto study = fs::path(STRATA_SOURCE_DIR) / ".." / "shared" / "data" / "manifests";
    if (!fs::is_directory(study)) {
        WARN("../shared/data/manifests not found: the study's bundles were not compared");
        return;
    }
    const auto all = compare_bundles(study);
    CHECK(all.bundles == 35);
    CHECK(all.images > 35);
    CHECK(all.differing == 0);
    INFO(all.images << " images compared");
}

TEST_CASE("the reference and simdjson readers agree on hostile documents") {
    // Each: the same verdict (an error or not) and, when read, the same layers.
    const std::vector<std::string> documents = {
        R"({"config":{"digest":"sha256:)" + std::string(64, 'a') + R"("},"layers":[{"digest":"sha256:)" +
            std::string(64, 'b') + R"(","size":0}],"layers":[]})",
        R"({"mediaType":"application/vnd.oci.image.index.v1+json","config":{},"layers":[]})",
        R"({"manifests":{},"config":{"digest":"sha256:)" + std::string(64, 'a') + R"("},"layers":[]})",
        R"({"config":{"digest":"sha512:)" + std::string(128, 'c') + R"(","size":-1},"layers":[{"digest":"sha256:)" +
            std::string(64, 'b') + R"(","size":9223372036854775808}]})",
        R"({"config":{"digest":"sha256:)" + std::string(64, 'a') + R"("},"layers":[{"digest":"sha256:)" +
            std::string(64, 'b') + R"(","size":-0}]})",
        R"({"created":null,"os":"linux","history":[{"created_by":null,"empty_layer":null},{}]})",
        R"({"created":"2020-01-01T00:00:00+01:00","architecture":"arm64","history":null})",
        R"({"history":[{"empty_layer":1}]})",
    };
    for (const auto& text : documents) {
        INFO(text);
        const auto ours = json_document::parse(text);
        const auto theirs = nlohmann::json::parse(text);
        REQUIRE(ours);
        image a, b;
        std::string da, db;
        CHECK(read_image_manifest(ours->root(), a, da).has_value() == reference::read_image_manifest(theirs, b, db).has_value());
        CHECK(read_image_config(ours->root(), a).has_value() == reference::read_image_config(theirs, b).has_value());
        CHECK(is_index_document(ours->root()) == reference::is_index_document(theirs));
        CHECK(same_image(a, b));
        CHECK(da == db);
    }
}

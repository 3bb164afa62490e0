// Image importers on the study's manifest bundles (tests/fixtures), on OCI layouts and skopeo
// files written here, and on damaged and hostile files.
#include "analytics/inputs/image_catalog.hpp"
#include "analytics/analyses/layer_reuse.hpp"

#include "storage/oci/digest.hpp"
#include "tests/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace strata::analytics;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const fs::path fixtures = fs::path(STRATA_SOURCE_DIR) / "tests" / "fixtures" / "manifests";

using strata::test::temp_dir;

void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

// Writes a blob into an OCI layout and returns its digest.
std::string put_blob(const fs::path& root, const std::string& text,
                     strata::storage::digest_algorithm a = strata::storage::digest_algorithm::sha256) {
    const auto d = strata::storage::digest_of(text, a);
    write(root / "blobs" / std::string(strata::storage::algorithm_name(a)) / std::string(d.hex()), text);
    return d.str();
}

const image* find(const image_catalog& c, const std::string& name) {
    for (const auto& i : c.images())
        if (i.name() == name) return &i;
    return nullptr;
}

}  // namespace

TEST_CASE("study bundles: registry and repository from the path, indexes counted, digests kept") {
    image_catalog c;
    import_image_files(c, {fixtures});
    // Counted independently with Python over the same files.
    CHECK(c.counts().files == 7);
    CHECK(c.counts().images == 12);
    CHECK(c.counts().indexes_without_images == 1);  // metrics-server: a manifest list only
    CHECK(c.counts().invalid_manifests == 0);
    CHECK(c.counts().missing_configs == 0);
    const auto* hub = find(c, "docker.io/andyzhangx/docker-cleanup:latest");
    REQUIRE(hub);
    CHECK(hub->layers.size() == 4);
    const auto* by_digest = find(c, "ghcr.io/converged-computing/mt-gemm@sha256:"
                                    "3d3fbd919836549f79b09db9ec5274cbd6dc27cba849eb1f13a9e58c068108cf");
    REQUIRE(by_digest);
    CHECK(by_digest->tag.empty());
    const auto* kripke = find(c, "ghcr.io/converged-computing/metric-kripke-cpu:zen4");
    REQUIRE(kripke);
    CHECK(kripke->platform == "linux/amd64");
    CHECK(kripke->created_s.has_value());
    CHECK(kripke->layer_steps().size() == kripke->layers.size());
    const auto r = layer_reuse(c.images());
    CHECK(r.layer_references == 207);
    CHECK(r.unique_layers == 107);
    CHECK(r.referenced_bytes == 16386837373ull);
    CHECK(r.unique_bytes == 9207056475ull);
    CHECK(r.buckets[0].layers == 63);
    CHECK(r.buckets[1].layers == 44);
    CHECK(r.buckets[2].layers == 18);
    // Reading the same files again adds nothing.
    import_image_files(c, {fixtures / "andyzhangx"});
    CHECK(c.counts().images == 12);
    CHECK(c.counts().duplicates == 1);
}

TEST_CASE("an OCI image layout: index, nested index, verified blobs, sha256 and sha512") {
    temp_dir t;
    const auto root = t.path / "layout";
    const auto config = put_blob(root, R"({"architecture":"arm64","os":"linux","created":"2023-01-02T03:04:05Z",
        "history":[{"created_by":"RUN apk add curl"}]})", strata::storage::digest_algorithm::sha512);
    const auto layer = "sha256:" + std::string(64, 'c');
    const auto manifest = put_blob(root, json{{"schemaVersion", 2},
                                              {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                              {"config", {{"digest", config}, {"size", 1}}},
                                              {"layers", {{{"digest", layer}, {"size", 4096}}}}}
                                             .dump());
    const auto inner = put_blob(root, json{{"mediaType", "application/vnd.oci.image.index.v1+json"},
                                           {"manifests", {{{"digest", manifest}, {"size", 1},
                                                           {"platform", {{"os", "linux"}, {"architecture", "arm64"}}}}}}}
                                          .dump());
    // A manifest whose bytes were changed after it was named: never read.
    const auto tampered = put_blob(root, R"({"schemaVersion":2})");
    write(root / "blobs" / "sha256" / tampered.substr(7), R"({"schemaVersion":3})");
    write(root / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    write(root / "index.json",
          json{{"schemaVersion", 2},
               {"manifests",
                {{{"digest", inner}, {"size", 1}, {"annotations", {{"org.opencontainers.image.ref.name", "v1"}}}},
                 {{"digest", tampered}, {"size", 1}, {"annotations", {{"org.opencontainers.image.ref.name", 5}}}}}}}
              .dump());
    image_catalog c;
    import_image_files(c, {t.path});
    REQUIRE(c.images().size() == 1);
    const auto& img = c.images()[0];
    CHECK(img.registry == "oci-layout");
    CHECK(img.repository == "layout");
    CHECK(img.tag == "v1");
    CHECK(img.digest == manifest);
    CHECK(img.platform == "linux/arm64");
    CHECK(img.total_bytes() == 4096);
    CHECK(img.history.size() == 1);  // read from the sha512 config
    CHECK(c.counts().digest_mismatches == 1);
    CHECK(c.counts().invalid_manifests == 1);
}

TEST_CASE("skopeo inspect --raw output with its config beside it") {
    temp_dir t;
    const auto layer = "sha256:" + std::string(64, 'd');
    const auto config_text = std::string(R"({"os":"linux","architecture":"amd64","history":[{"created_by":"COPY x /"}]})");
    const auto config = strata::storage::sha256_of(config_text).str();
    write(t.path / "app.json", json{{"schemaVersion", 2},
                                    {"mediaType", "application/vnd.docker.distribution.manifest.v2+json"},
                                    {"config", {{"digest", config}, {"size", config_text.size()}}},
                                    {"layers", {{{"digest", layer}, {"size", 77}}}}}
                                   .dump());
    write(t.path / "app.config.json", config_text);
    write(t.path / "lonely.json", json{{"config", {{"digest", config}, {"size", 1}}}, {"layers", json::array()}}.dump());
    image_catalog c;
    import_image_files(c, {t.path / "app.json", t.path / "app.config.json", t.path / "lonely.json"});
    REQUIRE(c.images().size() == 2);
    CHECK(c.images()[0].repository == "app");
    CHECK(c.images()[0].history.size() == 1);
    CHECK(c.counts().missing_configs == 1);
}

TEST_CASE("damaged and hostile files are counted with a reason, never fatal") {
    temp_dir t;
    const auto bundle = [&](const std::string& dir, const std::string& text) {
        write(t.path / "reg.io" / dir / "manifests-config-layers.json", text);
    };
    const auto good = fs::path(fixtures / "andyzhangx" / "docker-cleanup" / "manifests-config-layers.json");
    std::ifstream in(good);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bundle("truncated", text.substr(0, text.size() / 2));
    bundle("deep", std::string(5000, '[') + std::string(5000, ']'));
    bundle("not-object", "[1,2,3]");
    bundle("wrong-types", R"({"manifests":{"t":{"config":{"digest":"sha256:zz"},"layers":[]}},"configs":{"t":"x"}})");
    bundle("bad-config", R"({"manifests":{"t":{"config":{"digest":"sha256:)" + std::string(64, 'e') +
                             R"("},"layers":[{"digest":"sha256:)" + std::string(64, 'f') +
                             R"(","size":3}]}},"configs":{"t":{"history":7}}})");
    bundle("binary", std::string("\x1f\x8b\x08garbage", 10));
    image_catalog c;
    import_image_files(c, {t.path, t.path / "missing.json"});
    CHECK(c.counts().files == 7);
    CHECK(c.counts().unreadable_files == 2);  // the gzip-looking garbage and the missing file
    CHECK(c.counts().invalid_manifests == 4);  // truncated, deep, not an object, wrong types
    CHECK(c.counts().invalid_configs == 1);
    REQUIRE(c.images().size() == 1);  // bad-config: kept, without history
    CHECK(c.images()[0].history.empty());
    CHECK(c.errors().size() >= 6);
}

TEST_CASE("a bundle that decompresses past the document cap is refused and named") {
    const auto good = fixtures / "andyzhangx" / "docker-cleanup" / "manifests-config-layers.json";
    const auto size = fs::file_size(good);
    image_catalog refused;
    import_image_files(refused, {good}, size - 1);
    CHECK(refused.counts().unreadable_files == 1);
    CHECK(refused.images().empty());
    CHECK(refused.errors() ==
          std::vector<std::string>{"file " + good.string() + ": larger than " + std::to_string(size - 1) + " bytes"});
    image_catalog read;
    import_image_files(read, {good}, size);
    CHECK(read.counts().unreadable_files == 0);
    CHECK(read.counts().images == 1);
}

TEST_CASE("images taken out file by file are still known, and every image is seen once") {
    image_catalog all;
    import_image_files(all, {fixtures});
    image_catalog saved;
    std::vector<image> taken;
    std::size_t files = 0;
    import_image_files(saved, {fixtures, fixtures}, input_limits{}.max_document_bytes, [&](image_catalog& read) {
        ++files;
        for (auto& img : read.take_images()) taken.push_back(std::move(img));
    });
    CHECK(files == 14);  // the 7 fixture bundles, twice
    CHECK(saved.images().empty());
    REQUIRE(taken.size() == all.images().size());  // the second pass over the same files adds nothing
    for (std::size_t i = 0; i < taken.size(); ++i) CHECK(taken[i].name() == all.images()[i].name());
    CHECK(saved.counts().duplicates == 2 * all.counts().duplicates + all.images().size());
}

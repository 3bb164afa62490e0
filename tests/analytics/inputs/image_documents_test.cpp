// Manifest, index and config readers: known fields, and clear errors for hostile documents.
#include "analytics/inputs/image_documents.hpp"

#include "analytics/inputs/json_input.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;
using json = nlohmann::json;

namespace {
// The readers take simdjson elements; these tests write their documents as nlohmann values.
json_document doc(const json& j) { return *json_document::parse(j.dump()); }
std::optional<std::string> read_image_manifest(const json& m, image& img, std::string& config) {
    return strata::analytics::read_image_manifest(doc(m).root(), img, config);
}
std::optional<std::string> read_image_config(const json& c, image& img) {
    return strata::analytics::read_image_config(doc(c).root(), img);
}
std::optional<std::string> read_index(const json& i, std::vector<index_entry>& entries) {
    return strata::analytics::read_index(doc(i).root(), entries);
}
bool is_index_document(const json& m) { return strata::analytics::is_index_document(doc(m).root()); }

const std::string digest_a = "sha256:" + std::string(64, 'a');
const std::string digest_b = "sha256:" + std::string(64, 'b');

json manifest_with(json layers) {
    return {{"schemaVersion", 2},
            {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
            {"config", {{"digest", digest_a}, {"size", 10}}},
            {"layers", layers}};
}

std::optional<std::string> read(const json& m) {
    image img;
    std::string config;
    return read_image_manifest(m, img, config);
}
}  // namespace

TEST_CASE("an image manifest gives its layers and config digest") {
    image img;
    std::string config;
    REQUIRE_FALSE(read_image_manifest(manifest_with({{{"digest", digest_a}, {"size", 5}}, {{"digest", digest_b}, {"size", 6000000000}}}),
                                      img, config));
    CHECK(config == digest_a);
    REQUIRE(img.layers.size() == 2);
    CHECK(img.layers[1].size == 6000000000ull);  // a 6 GB layer is real
    CHECK(img.total_bytes() == 6000000005ull);
}

TEST_CASE("malformed manifests are refused with a reason and leave the image untouched") {
    CHECK(read(json::array()) == "manifest is not a JSON object");
    CHECK(read(manifest_with("layers")) == "manifest has no layers array");
    CHECK(read(manifest_with({{{"digest", "sha256:xyz"}, {"size", 5}}})) == "manifest layer has no valid sha256 or sha512 digest");
    CHECK(read(manifest_with({{{"digest", digest_a}, {"size", -5}}})) == "manifest layer size is not a non-negative integer");
    CHECK(read(manifest_with({{{"digest", digest_a}, {"size", "5"}}})) == "manifest layer size is not a non-negative integer");
    CHECK(read(manifest_with({{{"digest", digest_a}, {"size", 1.5}}})) == "manifest layer size is not a non-negative integer");
    CHECK(read(manifest_with({{{"digest", digest_a}}})) == "manifest layer size is not a non-negative integer");
    CHECK(read(manifest_with({42})) == "manifest layer is not an object");
    auto no_config = manifest_with(json::array());
    no_config.erase("config");
    CHECK(read(no_config) == "manifest has no config descriptor");
    CHECK(read(manifest_with({{{"digest", digest_a}, {"size", 5.0}}})) == "manifest layer size is not a non-negative integer");
    // The largest size that fits 64 bits is read; numbers beyond are not JSON simdjson reads.
    REQUIRE_FALSE(read(manifest_with({{{"digest", digest_a}, {"size", 18446744073709551615ull}}})));
    const auto with_size = [](const std::string& size) {
        return R"({"config":{"digest":")" + digest_a + R"(","size":1},"layers":[{"digest":")" + digest_a +
               R"(","size":)" + size + "}]}";
    };
    CHECK(json_document::parse(with_size("5")));
    CHECK_FALSE(json_document::parse(with_size("1e400")));
    CHECK_FALSE(json_document::parse(with_size("18446744073709551616")));
    image img;
    img.layers = {{digest_b, 1}};
    std::string config;
    CHECK(read_image_manifest(manifest_with("x"), img, config));
    CHECK(img.layers.size() == 1);
}

TEST_CASE("indexes list their platform manifests") {
    const json index = {{"mediaType", "application/vnd.oci.image.index.v1+json"},
                        {"manifests",
                         {{{"digest", digest_a}, {"platform", {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}}}},
                          {{"digest", digest_b}, {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}}}};
    CHECK(is_index_document(index));
    std::vector<index_entry> entries;
    REQUIRE_FALSE(read_index(index, entries));
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].platform == "linux/arm64/v8");
    CHECK(entries[1].platform == "linux/amd64");
    CHECK(read(index) == "an index, not an image manifest");
    entries.clear();
    CHECK(read_index({{"manifests", {{{"digest", 7}}}}}, entries) == "index entry has no valid sha256 or sha512 digest");
    CHECK(read_index({{"manifests", {{{"digest", digest_a}, {"platform", {{"os", 1}}}}}}}, entries).has_value());
    CHECK(entries.empty());
}

TEST_CASE("configs give build time, platform and history; wrong types are refused") {
    image img;
    const json config = {{"created", "2024-08-20T10:00:00Z"},
                         {"os", "linux"},
                         {"architecture", "amd64"},
                         {"history",
                          {{{"created_by", "RUN apt-get install -y x"}},
                           {{"created_by", "ENV A=b"}, {"empty_layer", true}},
                           {{"comment", "no command"}}}}};
    REQUIRE_FALSE(read_image_config(config, img));
    CHECK(img.created_s == 1724148000);
    CHECK(img.platform == "linux/amd64");
    REQUIRE(img.history.size() == 3);
    CHECK(img.layer_steps().size() == 2);
    CHECK(img.history[2].created_by.empty());
    image epoch;
    REQUIRE_FALSE(read_image_config({{"created", "1970-01-01T00:00:00Z"}}, epoch));
    CHECK_FALSE(epoch.created_s);  // reproducible builds: no build time
    CHECK(read_image_config("config", img) == "config is not a JSON object");
    CHECK(read_image_config({{"history", "x"}}, img) == "config history is not an array");
    CHECK(read_image_config({{"history", {{{"created_by", 5}}}}}, img) == "config history created_by is not a string");
    CHECK(read_image_config({{"history", {{{"empty_layer", "yes"}}}}}, img) ==
          "config history empty_layer is not a boolean");
    CHECK(read_image_config({{"created", 5}}, img) == "config created, os or architecture is not a string");
    CHECK(img.history.size() == 3);  // untouched by the refused configs
}

TEST_CASE("a repeated key counts once, the last one, as nlohmann read it") {
    const auto twice = json_document::parse(R"({"config":{"digest":"x"},"config":{"digest":")" + digest_a +
                                            R"(","size":3},"layers":[],"layers":[{"digest":")" + digest_b +
                                            R"(","size":4}]})");
    REQUIRE(twice);
    image img;
    std::string config;
    REQUIRE_FALSE(strata::analytics::read_image_manifest(twice->root(), img, config));
    CHECK(config == digest_a);
    REQUIRE(img.layers.size() == 1);
    CHECK(img.layers[0].size == 4);
    CHECK(text_at(twice->root(), {"config", "digest"}) == digest_a);
    CHECK(text_at(twice->root(), {"config", "size"}).empty());
}

TEST_CASE("simdjson documents refuse deep nesting, garbage and invalid UTF-8") {
    const auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    CHECK(json_document::parse(nested(json_document::max_depth)));
    CHECK_FALSE(json_document::parse(nested(json_document::max_depth + 1)));
    CHECK_FALSE(json_document::parse(nested(100000)));
    CHECK_FALSE(json_document::parse("{\"a\":"));
    CHECK_FALSE(json_document::parse("\xff\xfe"));
    CHECK_FALSE(json_document::parse("{\"a\":\"\xc3\"}"));
    CHECK_FALSE(json_document::parse("{} {}"));
    CHECK_FALSE(json_document::parse(""));
    CHECK(json_document::parse(" {\"a\":[[1]]} \n"));
}

TEST_CASE("guarded JSON parsing refuses deep nesting and garbage") {
    CHECK(parse_json_guarded(std::string(100000, '[') + std::string(100000, ']')).is_discarded());
    CHECK(parse_json_guarded("{\"a\":").is_discarded());
    CHECK(parse_json_guarded("\xff\xfe").is_discarded());
    CHECK(parse_json_guarded("{\"a\":[[1]]}").is_object());
}

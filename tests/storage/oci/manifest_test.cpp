// Tests of manifest parsing: media types, descriptors and hostile bodies.
#include "storage/oci/manifest.hpp"
#include "storage/untrusted/json_limits.hpp"

#include "tests/catch_result.hpp"

using namespace strata::storage;
using strata::errc;

namespace {
const std::string d1 = "sha256:" + std::string(64, '1');
const std::string d2 = "sha256:" + std::string(64, '2');
}  // namespace

TEST_CASE("parse_manifest reads an OCI image manifest") {
    const std::string body = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
        "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" + d1 + R"(","size":10},
        "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" + d2 + R"(","size":6000000000}]})";
    auto m = parse_manifest(body, "");
    REQUIRE(m);
    CHECK(m->media_type == media_type::oci_manifest);
    REQUIRE(m->children.size() == 2);
    CHECK(m->children[0].digest_value.str() == d1);
    CHECK(m->children[1].size == 6000000000ull);
}

TEST_CASE("parse_manifest takes the served type when the body has none, and reads index platforms") {
    const std::string body = R"({"schemaVersion":2,"manifests":[
        {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + d1 + R"(","size":5,
         "platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]})";
    auto m = parse_manifest(body, media_type::oci_index);
    REQUIRE(m);
    CHECK(m->media_type == media_type::oci_index);
    REQUIRE(m->children.size() == 1);
    CHECK(m->children[0].platform == "linux/arm64/v8");
}

TEST_CASE("parse_manifest rejects malformed and hostile bodies with manifest_invalid") {
    const std::vector<std::string> bad = {
        "", "{", "[]", "null", "42", R"({"mediaType":"text/html"})",
        R"({"mediaType":"application/vnd.oci.image.manifest.v1+json"})",  // no config
        R"({"mediaType":"application/vnd.oci.image.index.v1+json"})",     // no manifests
        R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":"sha256:zz","size":1}})",
        R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":")" + d1 + R"(","size":-1}})",
        R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":")" + d1 + R"(","size":1.5}})",
        R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":")" + d1 +
            R"(","size":99999999999999999999999}})",
        R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":")" + d1 +
            R"(","size":1},"layers":{}})",
        R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":")" + d1 +
            R"(","size":1},"layers":[7]})",
        std::string(100000, '[') + std::string(100000, ']'),
    };
    for (const auto& body : bad) {
        INFO(body.substr(0, 120));
        auto m = parse_manifest(body, "");
        REQUIRE_FALSE(m);
        CHECK(m.error() == errc::manifest_invalid);
    }
}

TEST_CASE("json_nesting_within counts brackets outside strings only") {
    CHECK(json_nesting_within(R"({"a":[1,{"b":[]}]})", 4));
    CHECK_FALSE(json_nesting_within(R"({"a":[1,{"b":[]}]})", 3));
    CHECK(json_nesting_within(R"({"s":"[[[[[[\"[[[["})", 1));
    CHECK(json_nesting_within("]]]]", 0));
    CHECK_FALSE(json_nesting_within(std::string(65, '['), max_json_depth));
    CHECK(json_nesting_within(std::string(64, '['), max_json_depth));
}

TEST_CASE("a manifest nested deeper than the limit is refused before it is parsed") {
    const std::string deep = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","x":)" +
                             std::string(100000, '[') + std::string(100000, ']') + "}";
    CHECK(parse_manifest(deep, "").error() == errc::manifest_invalid);
}

TEST_CASE("parse_manifest reads only descriptors: padding and unknown members are skipped, duplicates replace") {
    const std::string oci = R"("mediaType":"application/vnd.oci.image.manifest.v1+json")";
    const std::string config = R"({"digest":")" + d1 + R"(","size":1,"annotations":{"a":[{"digest":"x"}]}})";
    SECTION("members of any shape around the descriptors") {
        const std::string body = R"({"annotations":{"pad":")" + std::string(1 << 20, 'x') + R"("},)" + oci +
                                 R"(,"history":[[1,{"layers":5}]],"config":)" + config +
                                 R"(,"layers":[{"urls":["u"],"digest":")" + d2 + R"(","size":2}],"subject":null})";
        auto m = parse_manifest(body, "");
        REQUIRE(m);
        REQUIRE(m->children.size() == 2);
        CHECK(m->children[1].digest_value.str() == d2);
        CHECK(m->children[1].size == 2);
    }
    SECTION("a later member replaces an earlier one, as in a DOM") {
        const std::string bad_config = R"({"digest":")" + d1 + R"(","size":"1"})";
        CHECK_FALSE(parse_manifest("{" + oci + R"(,"config":)" + config + R"(,"config":)" + bad_config + "}", ""));
        CHECK(parse_manifest("{" + oci + R"(,"config":)" + bad_config + R"(,"config":)" + config + "}", ""));
        auto m = parse_manifest("{" + oci + R"(,"config":)" + config + R"(,"layers":[7],"layers":[]})", "");
        REQUIRE(m);
        CHECK(m->children.size() == 1);
    }
    SECTION("a mediaType that is not a string counts as absent") {
        const std::string body = R"({"mediaType":{"x":1},"config":)" + config + "}";
        CHECK_FALSE(parse_manifest(body, ""));
        CHECK(parse_manifest(body, media_type::docker_manifest));
    }
    SECTION("an index ignores config and layers; a platform without fields reads as '/'") {
        const std::string body = R"({"mediaType":"application/vnd.oci.image.index.v1+json","layers":3,"manifests":[
            {"digest":")" + d1 + R"(","size":5,"platform":{"os":7}}]})";
        auto m = parse_manifest(body, "");
        REQUIRE(m);
        REQUIRE(m->children.size() == 1);
        CHECK(m->children[0].platform == "/");
    }
}

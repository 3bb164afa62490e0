// Tests of referrers indexes: what is read from outside, what is dropped, what strata writes.
#include "storage/oci/referrers.hpp"

#include "tests/catch_result.hpp"

#include <nlohmann/json.hpp>

using namespace strata;
using namespace strata::storage;

namespace {
const std::string sig = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const std::string sbom = "sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";
const std::string sig_type = "application/vnd.dev.cosign.artifact.sig.v1+json";

std::string referrers_index_of(const nlohmann::json& manifests) {
    return nlohmann::json{{"schemaVersion", 2}, {"mediaType", "application/vnd.oci.image.index.v1+json"},
                          {"manifests", manifests}}.dump();
}

nlohmann::json descriptor_json(const std::string& digest, const std::string& artifact_type = "") {
    nlohmann::json d = {{"mediaType", "application/vnd.oci.image.manifest.v1+json"}, {"digest", digest}, {"size", 512}};
    if (!artifact_type.empty()) d["artifactType"] = artifact_type;
    return d;
}
}  // namespace

TEST_CASE("media types follow RFC 6838's restricted names, without parameters") {
    CHECK(is_media_type("application/vnd.oci.image.manifest.v1+json"));
    CHECK(is_media_type("application/spdx+json"));
    CHECK(is_media_type("text/plain"));
    CHECK_FALSE(is_media_type(""));
    CHECK_FALSE(is_media_type("application"));
    CHECK_FALSE(is_media_type("application/"));
    CHECK_FALSE(is_media_type("/json"));
    CHECK_FALSE(is_media_type("text/plain; charset=utf-8"));
    CHECK_FALSE(is_media_type("a/b\r\nX-Injected: 1"));
    CHECK_FALSE(is_media_type("a/b/c"));
    CHECK_FALSE(is_media_type(".a/b"));
    CHECK_FALSE(is_media_type("a/" + std::string(128, 'b')));
    CHECK(is_media_type("a/" + std::string(127, 'b')));
}

TEST_CASE("a referrers index is read descriptor by descriptor, with artifact types and annotations") {
    auto with_annotations = descriptor_json(sig, sig_type);
    with_annotations["annotations"] = {{"org.opencontainers.image.created", "2026-11-26T00:00:00Z"}};
    const auto parsed = parse_referrers(referrers_index_of({with_annotations, descriptor_json(sbom)}));
    REQUIRE(parsed);
    REQUIRE(parsed->entries.size() == 2);
    CHECK(parsed->dropped == 0);
    CHECK(parsed->entries[0].digest_value.str() == sig);
    CHECK(parsed->entries[0].artifact_type == sig_type);
    CHECK(parsed->entries[0].size == 512);
    REQUIRE(parsed->entries[0].annotations.size() == 1);
    CHECK(parsed->entries[0].annotations[0].second == "2026-11-26T00:00:00Z");
    CHECK(parsed->entries[1].artifact_type.empty());
}

TEST_CASE("descriptors that break the grammar are dropped and counted") {
    auto bad_annotation = descriptor_json(sig);
    bad_annotation["annotations"] = {{"k", 1}};
    auto negative = descriptor_json(sig);
    negative["size"] = -1;
    auto fractional = descriptor_json(sig);
    fractional["size"] = 1.5;
    const nlohmann::json hostile = {
        descriptor_json("sha256:00"),                     // short digest
        descriptor_json("md5:d41d8cd98f00b204e9800998ecf8427e"),
        descriptor_json(sig, "a/b\r\nX-Injected: 1"),     // header injection in artifactType
        bad_annotation, negative, fractional, "not an object", 42,
        {{"digest", sig}, {"size", 1}},              // no mediaType
        descriptor_json(sbom),
    };
    const auto parsed = parse_referrers(referrers_index_of(hostile));
    REQUIRE(parsed);
    CHECK(parsed->dropped == 9);
    REQUIRE(parsed->entries.size() == 1);
    CHECK(parsed->entries[0].digest_value.str() == sbom);
}

TEST_CASE("a body that is not an index of descriptors is refused whole") {
    const std::vector<std::string> bodies = {"", "not json", "[]", "{}", R"({"manifests": {}})", R"({"manifests": null})",
                                             R"({"manifests": [)", std::string(100, '[') + std::string(100, ']')};
    for (const auto& body : bodies) {
        INFO(body);
        const auto parsed = parse_referrers(body);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error() == errc::manifest_invalid);
    }
    CHECK(parse_referrers(R"({"manifests": []})"));  // an empty list is a list
}

TEST_CASE("strata's index lists every referrer, or those of one artifact type, and reads back whole") {
    const auto parsed = parse_referrers(referrers_index_of({descriptor_json(sig, sig_type), descriptor_json(sbom, "application/spdx+json")}));
    REQUIRE(parsed);
    const auto all = nlohmann::json::parse(referrers_index(parsed->entries));
    CHECK(all["schemaVersion"] == 2);
    CHECK(all["mediaType"] == "application/vnd.oci.image.index.v1+json");
    CHECK(all["manifests"].size() == 2);
    const auto only_sigs = nlohmann::json::parse(referrers_index(parsed->entries, sig_type));
    REQUIRE(only_sigs["manifests"].size() == 1);
    CHECK(only_sigs["manifests"][0]["digest"] == sig);
    CHECK(nlohmann::json::parse(referrers_index(parsed->entries, "text/plain"))["manifests"].empty());
    CHECK(nlohmann::json::parse(referrers_index({}))["manifests"].is_array());
    const auto again = parse_referrers(referrers_index(parsed->entries));
    REQUIRE(again);
    CHECK(again->entries.size() == 2);
    CHECK(again->dropped == 0);
}

TEST_CASE("the referrers tag schema names a subject <alg>-<hex>") {
    CHECK(referrers_tag(*digest::parse(sig)) == "sha256-" + sig.substr(7));
    const std::string sha512 = "sha512:" + std::string(64, 'c') + std::string(64, 'd');
    CHECK(referrers_tag(*digest::parse(sha512)) == "sha512-" + std::string(64, 'c'));
}

// Referrers: the OCI 1.1 index that lists the artifacts (signatures, SBOMs) whose subject is a
// manifest, as the referrers API answers it or the referrers tag schema stores it.
#pragma once

#include "storage/oci/digest.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::storage {

// True for "type/subtype" by RFC 6838's restricted-name grammar (1 to 127 characters each,
// starting with a letter or digit), with no parameters.
bool is_media_type(std::string_view text) noexcept;

struct referrer {
    std::string media_type;
    digest digest_value;
    std::uint64_t size = 0;
    std::string artifact_type;  // empty when the descriptor names none
    std::vector<std::pair<std::string, std::string>> annotations;
};

struct referrer_list {
    std::vector<referrer> entries;
    std::size_t dropped = 0;  // descriptors refused: no valid digest, media type or size
};

// Reads the descriptors of an image index from outside (a referrers API answer, a tag-schema
// index, or strata's own stored copy). A descriptor whose digest, mediaType, size, artifactType
// or annotations break the grammar is dropped and counted, so nothing unchecked is passed on.
// errc::manifest_invalid for a body that is not a JSON object with a "manifests" array, or that
// nests deeper than max_json_depth. Never throws.
result<referrer_list> parse_referrers(std::string_view body);

// The image index listing refs, or those whose artifactType is artifact_type when that is not
// empty: {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[...]}.
std::string referrers_index(const std::vector<referrer>& refs, std::string_view artifact_type = {});

// The referrers tag schema's tag for a subject: "<alg>-<hex>", e.g. "sha256-9f86d0...", the hex
// cut to its first 64 characters (a sha512 subject's tag would otherwise pass 128).
std::string referrers_tag(const digest& subject);

}  // namespace strata::storage

// pins: images the store never evicts, named as upstream/repository:tag or @digest.
#pragma once

#include "storage/index/metadata_index.hpp"
#include "storage/oci/reference.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace strata::storage {

struct pin {
    repository_key repo;
    manifest_reference reference;
};

// "ghcr.io/org/app:v1", "ghcr.io/org/app@sha256:…"; a bare "ghcr.io/org/app" means :latest.
// nullopt for anything that is not a valid upstream, repository and reference.
std::optional<pin> parse_pin(std::string_view text);

// Pins added at run time (the admin API), kept in the index so they survive restarts. Each
// is the pin's text as given, after parse_pin accepted it. Synchronous RocksDB calls.
std::vector<std::string> stored_pins(const metadata_index& index);
void store_pin(metadata_index& index, const std::string& text);
// False if it was not stored.
bool unstore_pin(metadata_index& index, const std::string& text);

// The manifest digest a pin names: its digest, or what its tag maps to in the index.
std::optional<digest> resolve_pin(const metadata_index& index, const pin& p);

// resolve_pin's digest when the index holds that manifest: a digest ref names a cached image
// only if its manifest was cached, whatever digest the ref says.
std::optional<digest> cached_manifest_of(const metadata_index& index, const pin& p);

// Every digest the index knows to belong to the pinned images: their manifests, the child
// manifests of indexes, configs and layers. Pins whose manifest is not cached yet add nothing
// until it is.
std::unordered_set<std::string> pinned_digests(const metadata_index& index, const std::vector<pin>& pins);

}  // namespace strata::storage

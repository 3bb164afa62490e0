// Routing: from a request target to the endpoint, the configured upstream and the repository.
#pragma once

#include "proxy/config/config.hpp"
#include "storage/oci/error.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace strata::proxy {

enum class endpoint { unknown, base, manifest, blob, tags_list, blob_upload, referrers };

struct route {
    endpoint kind = endpoint::unknown;
    const upstream_config* upstream = nullptr;  // never null for manifest, blob, tags_list, referrers
    std::string repository;   // the name upstream knows ("library/alpine")
    std::string client_name;  // the name as the client wrote it ("ghcr.io/org/app")
    std::string reference;    // tag or digest (manifest), digest (blob, referrers' subject); not yet validated
    std::string ns;           // the ns query value, if any
    std::optional<std::size_t> page_size;  // tags/list ?n=
    std::string last;                      // tags/list ?last=
    std::string artifact_type;             // referrers ?artifactType=
};

// Parses a request target ("/v2/<name>/manifests/<ref>?ns=ghcr.io", ".../referrers/<digest>") and
// picks the upstream:
//  1. ?ns=<host> (containerd's mirror form) names the upstream;
//  2. otherwise a first path component that looks like a host ("ghcr.io/org/app") does;
//  3. otherwise the default upstream, with Docker Hub's "library/" for one-component names.
// Only configured upstreams are ever chosen: errc::upstream_unknown for any other host.
// errc::name_invalid for a repository that breaks the distribution grammar. Targets outside
// the registry API give endpoint::unknown.
result<route> parse_route(std::string_view target, const config& cfg);

// The same, into r, whose strings keep their capacity: a connection reuses one route for its
// requests, so a warm one parses without allocating. On an error r is left empty
// (endpoint::unknown, no upstream).
result<void> parse_route(std::string_view target, const config& cfg, route& r);

}  // namespace strata::proxy

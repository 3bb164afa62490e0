// sample_event: a pull event with every field but user_agent and labels set, for tests that store or read events.
#pragma once

#include "storage/events/pull_event.hpp"

#include <cstdint>
#include <string>
#include <utility>

namespace strata::test {

inline storage::pull_event sample_event(std::int64_t ts, std::string node = "node-1") {
    storage::pull_event e;
    e.ts_ns = ts;
    e.client = "10.0.0.7";
    e.node = std::move(node);
    e.upstream = "ghcr.io";
    e.repository = "org/app";
    e.reference = "v1";
    e.digest = "sha256:" + std::string(64, 'a');
    e.kind = "blob";
    e.method = "GET";
    e.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
    e.bytes_sent = 6000000000ull;
    e.object_size = 6000000000ull;
    e.range = "bytes=0-";
    e.cache_status = "miss";
    e.http_status = 200;
    e.duration_ns = 12345;
    e.ttfb_ns = 123;
    e.upstream_ns = 10000;
    e.upstream_bytes = 6000000000ull;
    return e;
}

}  // namespace strata::test

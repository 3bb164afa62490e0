// health: /healthz, /readyz and /metrics, served on every listener.
#pragma once

#include "proxy/net.hpp"
#include "proxy/observe/metrics.hpp"
#include "proxy/reply/reply.hpp"
#include "proxy/upstream/upstream_set.hpp"
#include "storage/blobs/blob_store.hpp"
#include "storage/index/metadata_index.hpp"

#include <string_view>

namespace strata::proxy {

struct health_endpoints {
    storage::blob_store& blobs;
    storage::metadata_index& index;
    asio::thread_pool& blocking;
    upstream_set& upstreams;
    metrics& counters;
    bool serve_metrics;  // server.metrics

    // Whether target is one of these endpoints.
    bool serves(std::string_view target) const;
    // /healthz: the process answers. /readyz: storage takes a write (503 if not); upstream
    // reachability is reported, never fatal. /metrics: Prometheus text.
    awaitable<reply> answer(std::string_view target) const;
};

}  // namespace strata::proxy

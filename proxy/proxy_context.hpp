// proxy_context: everything a request needs, built once at start and shared by all sessions.
#pragma once

#include "proxy/access_recorder.hpp"
#include "proxy/blob_fetcher.hpp"
#include "proxy/config.hpp"
#include "proxy/manifest_service.hpp"
#include "proxy/net.hpp"
#include "proxy/tag_list.hpp"
#include "proxy/upstream_set.hpp"
#include "storage/blob_store.hpp"
#include "storage/metadata_index.hpp"

namespace strata::proxy {

// Owns the store, the index, the upstream clients and the services over them. Construction
// opens the data directory and throws if it cannot. Members are thread-safe.
struct proxy_context {
    proxy_context(config c, asio::io_context& io);

    config cfg;
    asio::thread_pool blocking;
    storage::blob_store blobs;
    storage::metadata_index index;
    upstream_set upstreams;
    manifest_service manifests;
    tag_list_service tag_lists;
    blob_fetcher fetcher;
    access_recorder accesses;
};

}  // namespace strata::proxy

// proxy_context: wiring of storage, upstream clients and services.
#include "proxy/proxy_context.hpp"

namespace strata::proxy {

proxy_context::proxy_context(config c, asio::io_context& io)
    : cfg(std::move(c)),
      blocking(cfg.server.blocking_threads),
      blobs(cfg.cache.data_dir),
      index(cfg.cache.data_dir / "index"),
      upstreams(cfg),
      manifests(cfg, upstreams, index, blocking),
      tag_lists(cfg, upstreams),
      fetcher(io, blocking, upstreams, blobs, index, cfg.cache.complete_abandoned_fetches),
      accesses(index, blocking) {}

}  // namespace strata::proxy

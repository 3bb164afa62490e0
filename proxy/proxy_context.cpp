// proxy_context: wiring of storage, upstream clients and services, and per-request observation.
#include "proxy/proxy_context.hpp"

#include <spdlog/spdlog.h>


namespace strata::proxy {
namespace {

std::string read_admin_token(const admin_config& admin) {
    return admin.token_file.empty() ? admin.token : read_secret_file(admin.token_file, "admin.token_file");
}

}  // namespace

proxy_context::proxy_context(config c, asio::io_context& io)
    : cfg(std::move(c)),
      admin_token(read_admin_token(cfg.admin)),
      blocking(cfg.server.blocking_threads),
      blobs(cfg.cache.data_dir),
      index(cfg.cache.data_dir / "index"),
      events_log(index),
      events(events_log, cfg.events),
      upstreams(cfg, &stats_metrics),
      manifests(cfg, upstreams, index, blocking, stats_metrics),
      tag_lists(cfg, upstreams),
      fetcher(io, blocking, upstreams, blobs, index, cfg.cache.complete_abandoned_fetches, stats_metrics),
      accesses(index, blocking) {
    stats_metrics.set_sources({[this] { return fetcher.in_flight(); }, [this] { return fetcher.cached_bytes(); },
                               [this] { return fetcher.cached_objects(); }, [this] { return events.dropped(); },
                               [this] { return upstreams.token_fetches(); }});
}

void proxy_context::observe(storage::pull_event e) {
    if (e.http_status >= 400) e.cache_status = "error";
    if (cfg.server.metrics) {  // nothing would read them otherwise
        if (e.cache_status == "coalesced") stats_metrics.coalesced_waiter(e.kind);
        if (e.cache_status == "stale") stats_metrics.stale_served(e.upstream);
        stats_metrics.observe_request(e);
    }
    stats.add(e);
    spdlog::info("request method={} kind={} upstream={} repo={} ref={} status={} bytes={} duration_us={} cache={} node={}",
                 e.method, e.kind, e.upstream, e.repository, e.reference, e.http_status, e.bytes_sent,
                 e.duration_ns / 1000, e.cache_status, e.node);
    events.submit(e);
}

}  // namespace strata::proxy

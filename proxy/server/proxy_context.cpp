// proxy_context: wiring of storage, upstream clients and services, and per-request observation.
#include "proxy/server/proxy_context.hpp"

#include "proxy/server/blocking.hpp"
#include "storage/untrusted/text_escape.hpp"
#include "storage/eviction/metadata_gc.hpp"
#include "storage/eviction/pins.hpp"

#include <spdlog/spdlog.h>



namespace strata::proxy {
namespace {

std::string read_admin_token(const admin_config& admin) {
    return admin.token_file.empty() ? admin.token : read_secret_file(admin.token_file, "admin.token_file");
}

std::optional<analytics::price_table> read_prices(const analytics_config& a) {
    if (a.prices_file.empty()) return std::nullopt;
    try {
        return analytics::load_price_table(a.prices_file);
    } catch (const std::invalid_argument& e) {
        throw config_error("analytics.prices_file: " + std::string(e.what()));
    }
}

// A crash can leave a file without its index entry or the reverse: make them agree before
// serving. Only files the index does not know are hashed, so this is quick.
storage::store_check_report reconcile(const storage::blob_store& blobs, storage::metadata_index& index) {
    auto report = storage::check_store(blobs, index, {});
    for (const auto& p : report.problems) spdlog::warn("store reconciled: {}", p);
    if (report.adopted) spdlog::info("store reconciled: adopted {} verified blobs the index had lost", report.adopted);
    return report;
}

storage::cache_limits limits_of(const storage_config& s) {
    return {s.max_bytes, s.high_watermark, s.low_watermark};
}

// Pins from the config (validated with it) and those added through the admin API.
std::vector<storage::pin> current_pins(const storage_config& s, const storage::metadata_index& index) {
    std::vector<storage::pin> pins;
    for (const auto& text : s.pinned) pins.push_back(*storage::parse_pin(text));
    for (const auto& text : storage::stored_pins(index))
        if (auto p = storage::parse_pin(text)) pins.push_back(std::move(*p));
    return pins;
}

}  // namespace

proxy_context::proxy_context(config c, asio::io_context& io)
    : cfg(std::move(c)),
      admin_token(read_admin_token(cfg.admin)),
      admin(admin_token),
      connections(cfg.server.max_connections ? cfg.server.max_connections : derived_connection_cap(raise_fd_limit())),
      prices(read_prices(cfg.analytics)),
      blocking(cfg.server.blocking_threads),
      blobs(cfg.cache.data_dir),
      index(cfg.cache.data_dir / "index"),
      startup_check(reconcile(blobs, index)),
      evictor(*storage::parse_eviction_kind(cfg.storage.eviction_policy), limits_of(cfg.storage),
              [this](const storage::digest& d) { return fetcher.remove_cached(d); }),
      events_log(index),
      events(events_log, cfg.events),
      upstreams(cfg, &stats_metrics),
      manifests(cfg, upstreams, index, blocking, stats_metrics),
      tag_lists(cfg, upstreams, stats_metrics),
      access(cfg, upstreams, index, blocking),
      fetcher(io, blocking, upstreams, blobs, index, evictor,
              fetch_limits{cfg.cache.complete_abandoned_fetches, cfg.storage.max_blob_bytes,
                           cfg.client.max_downloads_per_upstream},
              stats_metrics),
      accesses(index, blocking) {
    evictor.restore(index);
    fetcher.on_commit([this] { maybe_evict(); });
    fetcher.on_disk_full([this](std::uint64_t needed, std::uint64_t freeing) { make_room(needed, freeing); });
    maybe_evict();
    stats_metrics.set_sources({[this] { return fetcher.in_flight(); }, [this] { return evictor.bytes(); },
                               [this] { return evictor.objects(); }, [this] { return events.dropped(); },
                               [this] { return upstreams.token_fetches(); },
                               [this] { return evictor.evicted_blobs(); }, [this] { return evictor.evicted_bytes(); },
                               [this] { return connections.open(); }, [this] { return connections.cap(); },
                               [this] { return connections.closed_for_room(); },
                               [this] { return connections.refused(); },
                               [this] { return memory_uses(); }});
}

std::vector<metrics_sources::memory_use> proxy_context::memory_uses() const {
    const auto& hot = manifests.hot_manifests();
    return {{"manifests", hot.bytes(), hot.byte_budget()},
            {"tag_mappings", manifests.tag_memo_bytes(), manifests.tag_memo_budget()},
            {"tag_lists", tag_lists.bytes(), tag_lists.byte_budget()},
            {"tokens", upstreams.token_bytes(), upstreams.token_budget()},
            {"repository_links", access.memo_bytes(), access.memo_budget()}};
}

void proxy_context::maybe_evict() {
    if (!evictor.over_high_watermark() || eviction_scheduled_.exchange(true)) return;
    asio::post(blocking, [this] {
        try {
            evict_now();
        } catch (const std::exception& e) {
            spdlog::error("eviction failed error=\"{}\"", e.what());
        }
        eviction_scheduled_ = false;
    });
}

void proxy_context::make_room(std::uint64_t bytes, std::uint64_t fitted) {
    asio::post(blocking, [this, bytes, fitted] {
        try {
            const std::uint64_t shortfall = (bytes > fitted ? bytes - fitted : 0) + (1 << 20);
            refresh_pins();
            const auto r = evictor.evict_at_least(shortfall);
            spdlog::warn("disk full: evicted blobs={} bytes={} to make room for {} bytes ({} fitted, short {})",
                         r.blobs, r.bytes, bytes, fitted, shortfall);
        } catch (const std::exception& e) {
            spdlog::error("eviction for a full disk failed error=\"{}\"", e.what());
        }
    });
}

void proxy_context::refresh_pins() {
    evictor.set_pinned(storage::pinned_digests(index, current_pins(cfg.storage, index)));
}

storage::cache_evictor::result proxy_context::evict_now() {
    refresh_pins();
    const auto r = evictor.evict();
    if (r.blobs || r.kept)
        spdlog::info("evicted blobs={} bytes={} kept={} cache_bytes={} policy={}", r.blobs, r.bytes, r.kept,
                     evictor.bytes(), storage::eviction_kind_name(evictor.kind()));
    return r;
}

awaitable<void> proxy_context::run_metadata_gc(std::chrono::milliseconds interval) {
    if (cfg.storage.metadata_max_age.count() == 0) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        auto collect = [this] {
            const auto cutoff = std::chrono::system_clock::now() - cfg.storage.metadata_max_age;
            return storage::collect_metadata_garbage(
                index, std::chrono::duration_cast<std::chrono::nanoseconds>(cutoff.time_since_epoch()).count());
        };
        try {
            const auto r = co_await run_blocking(blocking, std::move(collect));
            if (r.tags || r.manifests || r.references)
                spdlog::info("metadata expired tags={} manifests={} references={}", r.tags, r.manifests, r.references);
        } catch (const std::exception& e) {
            spdlog::error("metadata garbage collection failed error=\"{}\"", e.what());
        }
        timer.expires_after(interval);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
    }
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
                 storage::log_value(e.method), e.kind, e.upstream, storage::log_value(e.repository),
                 storage::log_value(e.reference), e.http_status, e.bytes_sent, e.duration_ns / 1000, e.cache_status,
                 storage::log_value(e.node));
    events.submit(e);
}

}  // namespace strata::proxy

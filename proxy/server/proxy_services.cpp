// proxy_services: wiring of storage, upstream clients and the services over them.
#include "proxy/server/proxy_services.hpp"

#include "proxy/blocking.hpp"
#include "storage/untrusted/text_escape.hpp"
#include "storage/clock.hpp"

#include <spdlog/spdlog.h>

namespace strata::proxy {
namespace {

// Repositories given a label of their own in /metrics (strata_top_repository_served_bytes).
constexpr std::size_t top_repositories_exported = 10;

// A crash can leave a file without its index entry or the reverse: make them agree before
// serving. Only files the index does not know are hashed, so this is quick.
storage::store_check_report reconcile(const storage::blob_store& blobs, storage::metadata_index& index) {
    auto report = storage::check_store(blobs, index, {});
    for (const auto& p : report.problems) spdlog::warn("store reconciled: {}", p);
    if (report.adopted) spdlog::info("store reconciled: adopted {} verified blobs the index had lost", report.adopted);
    return report;
}

// What cache maintenance did, in strata's log.
storage::maintenance_reports maintenance_log(const storage::cache_evictor& evictor) {
    storage::maintenance_reports log;
    log.evicted = [&evictor](const storage::cache_evictor::result& r) {
        spdlog::info("evicted blobs={} bytes={} kept={} cache_bytes={} policy={}", r.blobs, r.bytes, r.kept,
                     evictor.bytes(), storage::eviction_kind_name(evictor.kind()));
    };
    log.made_room = [](const storage::cache_evictor::result& r, std::uint64_t bytes, std::uint64_t fitted,
                       std::uint64_t shortfall) {
        spdlog::warn("disk full: evicted blobs={} bytes={} to make room for {} bytes ({} fitted, short {})", r.blobs,
                     r.bytes, bytes, fitted, shortfall);
    };
    log.expired = [](const storage::metadata_gc_report& r) {
        spdlog::info("metadata expired tags={} manifests={} references={} referrers={}", r.tags, r.manifests,
                     r.references, r.referrers);
    };
    log.failed = [](const char* what, const std::exception& e) {
        spdlog::error("{} failed error=\"{}\"", what, storage::log_value(e.what()));
    };
    return log;
}

storage::cache_limits limits_of(const storage_config& s) {
    return {s.max_bytes, s.high_watermark, s.low_watermark};
}

}  // namespace

std::unique_ptr<pull_auth> read_pull_auth(const config& cfg) {
    if (cfg.pull_auth.users_file.empty()) return nullptr;
    std::vector<std::string> names;
    for (const auto& u : cfg.upstreams) names.push_back(u.name);
    return std::make_unique<pull_auth>(load_pull_users(cfg.pull_auth.users_file, names));
}

std::string read_admin_token(const admin_config& admin) {
    auto token = admin.token_file.empty() ? admin.token : read_secret_file(admin.token_file, "admin.token_file");
    // The example Secrets under deploy/ ship a placeholder: deployed as it is, anyone could use it.
    if (token.find("replace-me") != std::string::npos)
        throw config_error(std::string(admin.token_file.empty() ? "admin.token" : "admin.token_file") +
                           ": still the example's placeholder; generate a token, e.g. openssl rand -hex 32");
    return token;
}

std::optional<analytics::price_table> read_prices(const analytics_config& a) {
    if (a.prices_file.empty()) return std::nullopt;
    try {
        return analytics::load_price_table(a.prices_file);
    } catch (const std::invalid_argument& e) {
        throw config_error("analytics.prices_file: " + std::string(e.what()));
    }
}

proxy_services::proxy_services(config c, asio::io_context& io)
    : cfg(std::move(c)),
      admin_token(read_admin_token(cfg.admin)),
      admin(admin_token),
      pull_users(read_pull_auth(cfg)),
      connections(cfg.server.max_connections ? cfg.server.max_connections : derived_connection_cap(raise_fd_limit())),
      prices(read_prices(cfg.analytics)),
      blocking(cfg.server.blocking_threads),
      data_dir_lock(cfg.cache.data_dir),
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
      referrers(cfg, upstreams, index, blocking, stats_metrics),
      access(cfg, upstreams, index, blocking),
      fetcher(io, blocking, upstreams, blobs, index, evictor,
              fetch_limits{cfg.cache.complete_abandoned_fetches, cfg.storage.max_blob_bytes,
                           cfg.client.max_downloads_per_upstream},
              stats_metrics),
      accesses(index, blocking),
      maintenance(evictor, index, cfg.storage.pinned, cfg.storage.metadata_max_age,
                  [this](std::function<void()> work) { asio::post(blocking, std::move(work)); }, maintenance_log(evictor)) {
    evictor.restore(index);
    fetcher.on_commit([this] { maintenance.maybe_evict(); });
    fetcher.on_disk_full([this](std::uint64_t needed, std::uint64_t fitted) { maintenance.make_room(needed, fitted); });
    maintenance.maybe_evict();
    stats_metrics.set_sources({[this] { return fetcher.in_flight(); }, [this] { return evictor.bytes(); },
                               [this] { return cfg.storage.max_bytes; },
                               [this] { return evictor.objects(); }, [this] { return events.dropped(); },
                               [this] { return upstreams.token_fetches(); },
                               [this] { return evictor.evicted_blobs(); }, [this] { return evictor.evicted_bytes(); },
                               [this] { return connections.open(); }, [this] { return connections.cap(); },
                               [this] { return connections.closed_for_room(); },
                               [this] { return connections.refused(); },
                               [this] { return memory_uses(); }, [this] { return upstreams.metric_states(); },
                               [this] { return stats.top_repositories_by_bytes(top_repositories_exported); }});
}

std::vector<metrics_sources::memory_use> proxy_services::memory_uses() const {
    const auto& hot = manifests.hot_manifests();
    return {{"manifests", hot.bytes(), hot.byte_budget()},
            {"tag_mappings", manifests.tag_memo_bytes(), manifests.tag_memo_budget()},
            {"not_found", manifests.not_found().bytes(), manifests.not_found().byte_budget()},
            {"tag_lists", tag_lists.bytes(), tag_lists.byte_budget()},
            {"referrers", referrers.bytes(), referrers.byte_budget()},
            {"tokens", upstreams.token_bytes(), upstreams.token_budget()},
            {"repository_links", access.memo_bytes(), access.memo_budget()}};
}

awaitable<void> proxy_services::run_metadata_gc(std::chrono::milliseconds interval) {
    if (!maintenance.expires_metadata()) co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        auto expire = [this] {
            try {
                maintenance.expire_metadata(storage::now_ns());
            } catch (const std::exception& e) {
                spdlog::error("metadata garbage collection failed error=\"{}\"", e.what());
            }
            return true;
        };
        co_await run_blocking(blocking, std::move(expire));
        timer.expires_after(interval);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
    }
}

proxy_context context_of(proxy_services& s) {
    const auto& cfg = s.cfg;
    return proxy_context{
        cfg,
        s.connections,
        s.admin_token,
        s.pull_users.get(),
        health_endpoints{s.blobs, s.index, s.blocking, s.upstreams, s.stats_metrics, cfg.server.metrics},
        registry_api{cfg.cache, s.upstreams, s.manifests, s.tag_lists, s.referrers, s.access, s.fetcher, s.blobs, s.evictor,
                     s.accesses, cfg.timeouts.idle_body},
        admin_api{s.admin, s.stats, [&s] { return s.upstreams.states(); }, s.events, s.events_log, cfg.events, s.index, s.evictor, s.blocking, cfg.storage.pinned,
                  analytics_sources{s.index, s.blobs, s.events_log, s.prices, s.blocking},
                  prefetch_services{cfg, s.manifests, s.fetcher}},
        request_observer{s.stats_metrics, cfg.server.metrics, s.stats, s.events, s.request_log},
    };
}

}  // namespace strata::proxy

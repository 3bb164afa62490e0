// strata serve: flag parsing, logging set-up, threads, signals and orderly shutdown.
#include "proxy/cli/serve_command.hpp"

#include "proxy/cli/flags.hpp"
#include "proxy/net.hpp"
#include "proxy/server/proxy_context.hpp"
#include "proxy/server/cpu_budget.hpp"
#include "proxy/server/io_threads.hpp"
#include "proxy/server/proxy_services.hpp"
#include "proxy/server/server.hpp"
#include "proxy/observe/log_format.hpp"
#include "analytics/report/result_table.hpp"
#include "storage/eviction/pins.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <spdlog/spdlog.h>

#include <malloc.h>

#include <csignal>
#include <iostream>

namespace strata::proxy {
namespace {

void add_upstream_flag(config& c, const std::string& spec) {
    auto [name, url] = key_value("--upstream", spec, "NAME=URL");
    upstream_config u;
    u.name = std::move(name);
    u.url = std::move(url);
    u.origin = parse_origin(u.url, "--upstream " + u.name);
    u.docker_hub = u.name == "docker.io";
    std::erase_if(c.upstreams, [&](const upstream_config& x) { return x.name == u.name; });
    c.upstreams.push_back(std::move(u));
}

// A flag's change to the configuration, applied once --config FILE (wherever it stands) is read.
using config_edit = std::function<void(config&)>;

template <class Apply>
flag_set::value_handler edit(std::vector<config_edit>& edits, Apply apply) {
    return [&edits, apply](const std::string& v) { edits.push_back([apply, v](config& c) { apply(c, v); }); };
}

flag_set serve_flags(std::string& config_file, std::vector<config_edit>& edits, std::optional<std::chrono::seconds>& tag_ttl,
                     bool& check_only) {
    flag_set f;
    f.text("--config", config_file)
        .toggle("--check-config", [&check_only] { check_only = true; })
        .value("--listen", edit(edits, [](config& c, const std::string& v) { c.server.listen = v; }))
        .value("--data-dir", edit(edits, [](config& c, const std::string& v) { c.cache.data_dir = v; }))
        .value("--upstream", edit(edits, add_upstream_flag))
        .value("--default-upstream", edit(edits, [](config& c, const std::string& v) { c.default_upstream = v; }))
        .value("--max-bytes", [&edits](const std::string& v) {
            const auto n = size_flag("--max-bytes", v);
            edits.push_back([n](config& c) { c.storage.max_bytes = n; });
        })
        .value("--tag-ttl",
               [&tag_ttl](const std::string& v) { tag_ttl = std::chrono::seconds(whole_number("--tag-ttl", v, 0, 1u << 30)); })
        .toggle("--offline", [&edits] { edits.push_back([](config& c) { c.cache.offline = true; }); })
        .value("--io-threads", [&edits](const std::string& v) {
            const auto n = static_cast<unsigned>(whole_number("--io-threads", v, 0, 1024));
            edits.push_back([n](config& c) { c.server.io_threads = n; });
        })
        .value("--log-level", edit(edits, [](config& c, const std::string& v) { c.log_level = v; }))
        .value("--log-format", edit(edits, [](config& c, const std::string& v) { c.log_format = v; }))
        .value("--metrics-listen", edit(edits, [](config& c, const std::string& v) { c.server.metrics_listen = v; }))
        .value("--tls-cert", edit(edits, [](config& c, const std::string& v) { c.server.tls.cert_file = v; }))
        .value("--tls-key", edit(edits, [](config& c, const std::string& v) { c.server.tls.key_file = v; }))
        .value("--pull-users", edit(edits, [](config& c, const std::string& v) { c.pull_auth.users_file = v; }))
        .value("--admin-token-file", edit(edits, [](config& c, const std::string& v) { c.admin.token_file = v; }))
        .toggle("--no-events", [&edits] { edits.push_back([](config& c) { c.events.enabled = false; }); })
        .toggle("--no-metrics", [&edits] { edits.push_back([](config& c) { c.server.metrics = false; }); });
    return f;
}

// Stops the I/O threads once every connection has finished its response in flight, or when the
// grace period ends, whichever comes first.
awaitable<void> stop_when_drained(io_threads& threads, const client_connections& connections,
                                  std::chrono::milliseconds grace) {
    const auto deadline = std::chrono::steady_clock::now() + grace;
    asio::steady_timer tick(threads.main());
    while (connections.open() > 0 && std::chrono::steady_clock::now() < deadline) {
        tick.expires_after(std::chrono::milliseconds(20));
        co_await tick.async_wait(with_ec);
    }
    if (const auto left = connections.open(); left > 0)
        spdlog::warn("shutdown grace over: cutting off connections={} with responses in flight", left);
    threads.stop();
}

// Looks at the certificate and key files every reload_check and loads them again when they
// changed; a pair that does not load leaves the previous one serving, and says why.
awaitable<void> reload_certificates(tls_certificates& tls, listener_tls_config files) {
    asio::steady_timer tick(co_await asio::this_coro::executor);
    for (;;) {
        tick.expires_after(files.reload_check);
        if (auto [ec] = co_await tick.async_wait(with_ec); ec) co_return;
        std::string error;
        switch (tls.reload_if_changed(error)) {
        case tls_certificates::reload_result::reloaded:
            spdlog::info("TLS certificate reloaded cert_file={}", storage::log_value(files.cert_file));
            break;
        case tls_certificates::reload_result::failed:
            spdlog::error("TLS certificate not reloaded, the previous one still serves: {}", storage::log_value(error));
            break;
        case tls_certificates::reload_result::unchanged:
            break;
        }
    }
}

// "docker.io, ghcr.io, …": the upstreams by name, joined by sep.
std::string upstream_names(const config& cfg, std::string_view sep) {
    std::string names;
    for (const auto& u : cfg.upstreams) names += (names.empty() ? "" : std::string(sep)) + u.name;
    return names;
}

std::string budget_text(const config& cfg) {
    return cfg.storage.max_bytes ? analytics::human_bytes(static_cast<double>(cfg.storage.max_bytes)) : "unbounded";
}

// One line at start saying what strata serves from and what it may keep: its budget and policy,
// the pins, what the store holds now and the upstreams by name.
void log_store_summary(const proxy_services& services) {
    const auto& cfg = services.cfg;
    spdlog::info("strata store budget={} eviction={} pins={} cached_bytes={} cached_objects={} upstreams={}",
                 budget_text(cfg), cfg.storage.eviction_policy,
                 cfg.storage.pinned.size() + storage::stored_pins(services.index).size(), services.evictor.bytes(),
                 services.evictor.objects(), upstream_names(cfg, ","));
}

}  // namespace

std::string serve_usage() {
    return "usage: strata serve [flags]\n"
           "  --config FILE            JSON config (see deploy/strata.json); flags override it\n"
           "  --check-config           check the configuration and the files it names, then exit\n"
           "  --listen HOST:PORT       address to listen on (default 127.0.0.1:5000; port 0 picks one)\n"
           "  --data-dir DIR           cache directory (default ./var/strata)\n"
           "  --upstream NAME=URL      add or replace an upstream, e.g. ghcr.io=https://ghcr.io\n"
           "  --default-upstream NAME  upstream for names without ns= or a host prefix (default docker.io)\n"
           "  --max-bytes SIZE         the blob store's budget, e.g. 400GB (storage.max_bytes; 0: unbounded)\n"
           "  --tag-ttl SECONDS        tag mapping lifetime for every upstream (default 300)\n"
           "  --offline                never contact upstreams; serve only what is cached\n"
           "  --io-threads N           network threads (default: one per CPU it may use)\n"
           "  --log-level LEVEL        trace, debug, info, warn, error (default info)\n"
           "  --log-format FORMAT      text (default) or json: one JSON object per line\n"
           "  --metrics-listen H:P     also serve /metrics, /healthz and /readyz on this address\n"
           "  --tls-cert FILE          serve HTTPS with this PEM certificate chain (server.tls.cert_file;\n"
           "                           reloaded when it changes); needs --tls-key\n"
           "  --tls-key FILE           the certificate's PEM private key (server.tls.key_file)\n"
           "  --pull-users FILE        only these users may pull (pull_auth.users_file; see deploy/README.md)\n"
           "  --admin-token-file FILE  bearer token required by the admin API (/api/...)\n"
           "  --no-events              do not record pull events\n"
           "  --no-metrics             neither count nor serve /metrics\n";
}

serve_request parse_serve_args(const std::vector<std::string>& args) {
    std::string config_file;
    std::vector<config_edit> edits;
    std::optional<std::chrono::seconds> tag_ttl;
    serve_request request;
    serve_flags(config_file, edits, tag_ttl, request.check_only).parse(args);
    config c = config_file.empty() ? default_config() : load_config_file(config_file);
    for (const auto& e : edits) e(c);
    if (tag_ttl)
        for (auto& u : c.upstreams) u.tag_ttl = *tag_ttl;
    validate(c);
    request.cfg = std::move(c);
    return request;
}

int check_serve_config(const config& cfg) {
    parse_listen_address(cfg.server.listen);
    if (cfg.server.tls.enabled()) tls_certificates(cfg.server.tls.cert_file, cfg.server.tls.key_file);
    if (!cfg.server.metrics_listen.empty()) parse_listen_address(cfg.server.metrics_listen);
    read_admin_token(cfg.admin);
    read_prices(cfg.analytics);
    const auto pull_users = read_pull_auth(cfg);
    std::cout << "configuration is valid: listen " << cfg.server.listen << (cfg.server.tls.enabled() ? " (HTTPS)" : "")
              << ", data_dir " << cfg.cache.data_dir.string()
              << ", " << cfg.upstreams.size() << " upstreams (" << upstream_names(cfg, ", ") << "), default "
              << cfg.default_upstream << ", budget " << budget_text(cfg) << ", eviction " << cfg.storage.eviction_policy
              << "\n";
    return 0;
}

int run_serve(const config& cfg) {
    spdlog::set_level(spdlog::level::from_str(cfg.log_level));
    use_log_format(cfg.log_format);
    std::signal(SIGPIPE, SIG_IGN);  // sendfile to a vanished client must be an error, not a signal
    // Buffers of 1 MiB and more (manifests, tag lists) are mapped on their own and unmapped when
    // freed. glibc would otherwise raise this threshold to the largest buffer freed so far and
    // keep such buffers in its heaps, so memory an upstream made strata use would stay in use.
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    const unsigned count = cfg.server.io_threads ? cfg.server.io_threads : usable_cpus();
    io_threads threads(count);
    auto& io = threads.main();
    proxy_services services(cfg, io);
    services.request_log.use_json(cfg.log_format == "json");
    services.fetcher.run_downloads_on([&threads] { return threads.next_connection_executor(); });
    const proxy_context ctx = context_of(services);
    std::unique_ptr<tls_certificates> tls;
    if (cfg.server.tls.enabled()) tls = std::make_unique<tls_certificates>(cfg.server.tls.cert_file, cfg.server.tls.key_file);
    server srv(threads, ctx, cfg.server.listen, listener_role::main, tls.get());
    srv.start();
    if (tls) asio::co_spawn(io, reload_certificates(*tls, cfg.server.tls), asio::detached);
    std::unique_ptr<server> metrics_srv;
    if (!cfg.server.metrics_listen.empty()) {
        metrics_srv = std::make_unique<server>(threads, ctx, cfg.server.metrics_listen, listener_role::metrics_only);
        metrics_srv->start();
        const auto m = metrics_srv->local_endpoint();
        spdlog::info("strata metrics listening address={}:{}", m.address().to_string(), m.port());
    }
    const auto endpoint = srv.local_endpoint();
    log_store_summary(services);
    spdlog::info("strata listening address={}:{} tls={} pull_users={} data_dir={} upstreams={} default_upstream={} "
                 "offline={} io_threads={}",
                 endpoint.address().to_string(), endpoint.port(), tls ? "on" : "off",
                 services.pull_users ? std::to_string(services.pull_users->users()) : std::string("off"),
                 cfg.cache.data_dir.string(), cfg.upstreams.size(), cfg.default_upstream, cfg.cache.offline, count);

    asio::co_spawn(io, services.accesses.run(std::chrono::seconds(1)), asio::detached);
    asio::co_spawn(io, services.request_log.run(std::chrono::milliseconds(500)), asio::detached);
    asio::co_spawn(io, services.run_metadata_gc(std::chrono::hours(6)), asio::detached);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](error_code ec, int sig) {
        if (ec) return;
        spdlog::info("strata stopping signal={} connections={} grace_ms={}", sig, ctx.connections.open(),
                     cfg.server.shutdown_grace.count());
        srv.stop();
        if (metrics_srv) metrics_srv->stop();
        ctx.connections.drain();
        asio::co_spawn(io, stop_when_drained(threads, ctx.connections, cfg.server.shutdown_grace), asio::detached);
        signals.async_wait([&](error_code again, int) {
            if (again) return;
            spdlog::warn("strata stopping now: a second signal cut the shutdown grace short");
            threads.stop();
        });
    });
    threads.run();
    services.blocking.join();
    if (services.pull_users) services.pull_users->shutdown();  // before the requests waiting on it go
    threads.destroy_pending();  // requests and downloads cut off go while the services they use exist
    services.accesses.flush_now();  // statistics gathered since the last flush, before the index closes
    services.request_log.flush();
    spdlog::info("strata stopped");
    return 0;
}

}  // namespace strata::proxy

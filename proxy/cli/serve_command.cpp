// strata serve: flag parsing, logging set-up, threads, signals and orderly shutdown.
#include "proxy/cli/serve_command.hpp"

#include "proxy/net.hpp"
#include "proxy/server/proxy_context.hpp"
#include "proxy/server/server.hpp"

#include <spdlog/spdlog.h>

#include <malloc.h>

#include <csignal>
#include <iostream>
#include <thread>

namespace strata::proxy {
namespace {

// Takes the value of a flag given as "--flag value" or "--flag=value".
std::string flag_value(const std::vector<std::string>& args, std::size_t& i, const std::string& flag) {
    const auto& arg = args[i];
    if (arg.size() > flag.size() && arg[flag.size()] == '=') return arg.substr(flag.size() + 1);
    if (i + 1 >= args.size()) throw config_error(flag + ": needs a value");
    return args[++i];
}

bool is_flag(const std::string& arg, const std::string& flag) {
    return arg == flag || (arg.starts_with(flag) && arg.size() > flag.size() && arg[flag.size()] == '=');
}

void add_upstream_flag(config& c, const std::string& spec) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) throw config_error("--upstream: expected NAME=URL");
    upstream_config u;
    u.name = spec.substr(0, eq);
    u.url = spec.substr(eq + 1);
    u.origin = parse_origin(u.url, "--upstream " + u.name);
    u.docker_hub = u.name == "docker.io";
    std::erase_if(c.upstreams, [&](const upstream_config& x) { return x.name == u.name; });
    c.upstreams.push_back(std::move(u));
}

unsigned parse_count(const std::string& flag, const std::string& value) {
    try {
        const auto n = std::stoul(value);
        if (n <= 1024) return static_cast<unsigned>(n);
    } catch (const std::exception&) {
    }
    throw config_error(flag + ": expected a number from 0 to 1024");
}

// An io_context whose pending handlers (and the coroutine frames they own: sessions cut off at
// the end of the shutdown grace, downloads still running) can be destroyed before the services
// they refer to. The io_context's destructor would do the same, but only after proxy_context,
// which it outlives, is gone.
class io_runtime : public asio::io_context {
public:
    using asio::io_context::io_context;
    void destroy_pending() { shutdown(); }
};

// Stops the I/O threads once every connection has finished its response in flight, or when the
// grace period ends, whichever comes first.
awaitable<void> stop_when_drained(asio::io_context& io, const client_connections& connections,
                                  std::chrono::milliseconds grace) {
    const auto deadline = std::chrono::steady_clock::now() + grace;
    asio::steady_timer tick(io);
    while (connections.open() > 0 && std::chrono::steady_clock::now() < deadline) {
        tick.expires_after(std::chrono::milliseconds(20));
        co_await tick.async_wait(with_ec);
    }
    if (const auto left = connections.open(); left > 0)
        spdlog::warn("shutdown grace over: cutting off connections={} with responses in flight", left);
    io.stop();
}

}  // namespace

std::string serve_usage() {
    return "usage: strata serve [flags]\n"
           "  --config FILE            JSON config (see deploy/strata.json); flags override it\n"
           "  --listen HOST:PORT       address to listen on (default 127.0.0.1:5000; port 0 picks one)\n"
           "  --data-dir DIR           cache directory (default ./var/strata)\n"
           "  --upstream NAME=URL      add or replace an upstream, e.g. ghcr.io=https://ghcr.io\n"
           "  --default-upstream NAME  upstream for names without ns= or a host prefix (default docker.io)\n"
           "  --tag-ttl SECONDS        tag mapping lifetime for every upstream (default 300)\n"
           "  --offline                never contact upstreams; serve only what is cached\n"
           "  --io-threads N           network threads (default: one per core)\n"
           "  --log-level LEVEL        trace, debug, info, warn, error (default info)\n"
           "  --metrics-listen H:P     also serve /metrics, /healthz and /readyz on this address\n"
           "  --admin-token-file FILE  bearer token required by the admin API (/api/...)\n"
           "  --no-events              do not record pull events\n"
           "  --no-metrics             neither count nor serve /metrics\n";
}

config parse_serve_args(const std::vector<std::string>& args) {
    config c = default_config();
    for (std::size_t i = 0; i < args.size(); ++i)
        if (is_flag(args[i], "--config")) c = load_config_file(flag_value(args, i, "--config"));
    std::optional<std::chrono::seconds> tag_ttl;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        if (is_flag(a, "--config")) flag_value(args, i, "--config");
        else if (is_flag(a, "--listen")) c.server.listen = flag_value(args, i, "--listen");
        else if (is_flag(a, "--data-dir")) c.cache.data_dir = flag_value(args, i, "--data-dir");
        else if (is_flag(a, "--upstream")) add_upstream_flag(c, flag_value(args, i, "--upstream"));
        else if (is_flag(a, "--default-upstream")) c.default_upstream = flag_value(args, i, "--default-upstream");
        else if (is_flag(a, "--tag-ttl")) tag_ttl = std::chrono::seconds(parse_count("--tag-ttl", flag_value(args, i, "--tag-ttl")));
        else if (a == "--offline") c.cache.offline = true;
        else if (is_flag(a, "--io-threads")) c.server.io_threads = parse_count("--io-threads", flag_value(args, i, "--io-threads"));
        else if (is_flag(a, "--log-level")) c.log_level = flag_value(args, i, "--log-level");
        else if (is_flag(a, "--metrics-listen")) c.server.metrics_listen = flag_value(args, i, "--metrics-listen");
        else if (is_flag(a, "--admin-token-file")) c.admin.token_file = flag_value(args, i, "--admin-token-file");
        else if (a == "--no-events") c.events.enabled = false;
        else if (a == "--no-metrics") c.server.metrics = false;
        else throw config_error(a + ": unknown flag (see strata serve --help)");
    }
    if (tag_ttl)
        for (auto& u : c.upstreams) u.tag_ttl = *tag_ttl;
    validate(c);
    return c;
}

int run_serve(const config& cfg) {
    spdlog::set_level(spdlog::level::from_str(cfg.log_level));
    std::signal(SIGPIPE, SIG_IGN);  // sendfile to a vanished client must be an error, not a signal
    // Buffers of 1 MiB and more (manifests, tag lists) are mapped on their own and unmapped when
    // freed. glibc would otherwise raise this threshold to the largest buffer freed so far and
    // keep such buffers in its heaps, so memory an upstream made strata use would stay in use.
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    const unsigned threads = cfg.server.io_threads ? cfg.server.io_threads : std::max(1u, std::thread::hardware_concurrency());
    io_runtime io(static_cast<int>(threads));
    proxy_context ctx(cfg, io);
    server srv(io, ctx, cfg.server.listen);
    srv.start();
    std::unique_ptr<server> metrics_srv;
    if (!cfg.server.metrics_listen.empty()) {
        metrics_srv = std::make_unique<server>(io, ctx, cfg.server.metrics_listen, listener_role::metrics_only);
        metrics_srv->start();
        const auto m = metrics_srv->local_endpoint();
        spdlog::info("strata metrics listening address={}:{}", m.address().to_string(), m.port());
    }
    const auto endpoint = srv.local_endpoint();
    spdlog::info("strata listening address={}:{} data_dir={} upstreams={} default_upstream={} offline={}",
                 endpoint.address().to_string(), endpoint.port(), cfg.cache.data_dir.string(), cfg.upstreams.size(),
                 cfg.default_upstream, cfg.cache.offline);

    asio::co_spawn(io, ctx.accesses.run(std::chrono::seconds(1)), asio::detached);
    asio::co_spawn(io, ctx.run_metadata_gc(std::chrono::hours(6)), asio::detached);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](error_code ec, int sig) {
        if (ec) return;
        spdlog::info("strata stopping signal={} in_flight={} grace_ms={}", sig, ctx.connections.open(),
                     cfg.server.shutdown_grace.count());
        srv.stop();
        if (metrics_srv) metrics_srv->stop();
        ctx.connections.drain();
        asio::co_spawn(io, stop_when_drained(io, ctx.connections, cfg.server.shutdown_grace), asio::detached);
        signals.async_wait([&](error_code again, int) {
            if (again) return;
            spdlog::warn("strata stopping now: a second signal cut the shutdown grace short");
            io.stop();
        });
    });
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    ctx.blocking.join();
    io.destroy_pending();  // requests and downloads cut off go while the services they use exist
    ctx.accesses.flush_now();  // statistics gathered since the last flush, before the index closes
    spdlog::info("strata stopped");
    return 0;
}

}  // namespace strata::proxy

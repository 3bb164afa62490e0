// pull_bench: an io thread for the nodes and the relay; strata children and admin calls from the
// caller's thread.
#include "proxy/bench/pull_bench.hpp"

#include "proxy/bench/admin_client.hpp"
#include "proxy/bench/ctr_nodes.hpp"
#include "proxy/bench/kernel_link.hpp"
#include "proxy/bench/pacing_relay.hpp"
#include "proxy/bench/strata_child.hpp"
#include "proxy/config/config.hpp"
#include "proxy/upstream/redirect_policy.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <sched.h>

#include <algorithm>
#include <future>
#include <sstream>
#include <thread>

namespace strata::proxy {
namespace {

namespace fs = std::filesystem;

// The name the bench's own strata gives the registry, and how prefetch names its images.
constexpr const char* child_upstream = "bench.registry";

// One thread running an io_context: the nodes it was given, and the relay on the first.
class io_thread {
public:
    io_thread() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
    ~io_thread() {
        guard_.reset();
        io_.stop();
        thread_.join();
    }
    asio::io_context& context() { return io_; }

    template <class F>
    auto call(F f) -> decltype(f()) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto done = task.get_future();
        asio::post(io_, [&task] { task(); });
        return done.get();
    }
    template <class T>
    std::future<T> start(awaitable<T> work) {
        return asio::co_spawn(io_, std::move(work), asio::use_future);
    }

private:
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_;
    std::thread thread_;
};

// One io thread per usable CPU: verifying digests and copying bytes out of the kernel take a
// core per GB/s or so, so the nodes are spread over all of them.
class io_threads {
public:
    io_threads() {
        cpu_set_t set;
        CPU_ZERO(&set);
        const auto n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
        for (int i = 0; i < std::max(n, 1); ++i) threads_.push_back(std::make_unique<io_thread>());
    }
    io_thread& operator[](std::size_t i) { return *threads_[i % threads_.size()]; }

private:
    std::vector<std::unique_ptr<io_thread>> threads_;
};

upstream_config target_config(const std::string& name, const std::string& url, bool send_ns) {
    upstream_config u;
    u.name = name;
    u.url = url;
    u.origin = parse_origin(url, "registry " + name);
    u.send_ns = send_ns;
    // A registry on loopback may redirect to loopback (its own storage); a remote one may not.
    if (u.origin.host == "127.0.0.1" || u.origin.host == "localhost") u.redirect_hosts = {"127.0.0.1", "localhost"};
    return u;
}

class trial {
public:
    trial(io_threads& io, const pull_plan& plan, const bench_registry& registry, trial_key key, fs::path dir,
          const kernel_link* kernel)
        : io_(io), plan_(plan), registry_(registry), dir_(std::move(dir)), kernel_(kernel) {
        result_.key = std::move(key);
        result_.client = plan.client;
    }
    ~trial() {
        for (std::size_t i = 0; i < nodes_.size(); ++i) io_[i].call([&] { return nodes_[i].reset(), 0; });
        io_[0].call([this] { return relay_.reset(), back_relay_.reset(), 0; });
    }

    trial_result run() {
        try {
            const auto target = set_up();
            measure(target);
        } catch (const std::exception& e) {
            result_.error = storage::printable(e.what());
        }
        return std::move(result_);
    }

private:
    // Where the nodes pull from, with the relay, stratas and cache state the strategy wants.
    upstream_config set_up() {
        const auto where = *resolve_location(location{}, registry_.url + "/");
        if (!where.tls) relay_ = io_[0].call([&] { return start_relay(where.host, where.port); });
        const auto origin = relay_ ? relay_->url() : registry_.url;
        const auto strategy = result_.key.strategy;
        if (strategy == pull_strategy::direct || strategy == pull_strategy::node_warm)
            return target_config(registry_.name, origin, false);
        source_ = "proxy";
        if (strategy == pull_strategy::two_tier) {
            cluster_ = std::make_unique<strata_child>(dir_ / "cluster", child_upstream, origin, std::vector<std::string>{});
            node_tier_ = std::make_unique<strata_child>(dir_ / "node", "bench.cluster", cluster_->url(),
                                                        std::vector<std::string>{});
            return target_config(registry_.name, node_tier_->url(), false);
        }
        std::string server = plan_.proxy_url, ref = registry_.name + "/" + result_.key.image;
        if (server.empty()) {
            cluster_ = std::make_unique<strata_child>(dir_ / "strata", child_upstream, origin, std::vector<std::string>{});
            server = cluster_->url();
            ref = std::string(child_upstream) + "/" + result_.key.image;
        } else if (strategy == pull_strategy::proxy_cold) {
            evict(server, plan_.proxy_token, ref);
        }
        if (strategy == pull_strategy::proxy_prewarmed) prefetch(server, plan_.proxy_token, ref);
        return target_config(registry_.name, server, !plan_.proxy_url.empty());
    }

    // The registry's link: a relay pacing it in user space; or with a kernel link, a relay whose
    // sockets cross the link's shaped veth to a second relay in front of the registry. The
    // first relay, the one everything connects to, counts the egress.
    std::unique_ptr<pacing_relay> start_relay(const std::string& host, const std::string& port) {
        relay_options front{.bandwidth = plan_.upstream_bandwidth, .rtt = plan_.upstream_rtt};
        if (!kernel_) return std::make_unique<pacing_relay>(io_[0].context(), host, port, front);
        back_relay_ = std::make_unique<pacing_relay>(
            io_[0].context(), host, port,
            relay_options{.listen_address = kernel_->root_address(), .only_peer = kernel_->namespace_address()});
        front.bandwidth = 0;
        front.open_socket = [kernel = kernel_] { return kernel->open_socket(); };
        return std::make_unique<pacing_relay>(io_[0].context(), kernel_->root_address(), back_relay_->port(), front);
    }

    // The nodes pull through a strata the bench did not start: its upstream link is not the relay.
    bool running_strata() const { return source_ == "proxy" && !plan_.proxy_url.empty() && !cluster_; }

    node_options options_for(unsigned i) const {
        node_options o;
        o.node = "node-" + std::to_string(i + 1);
        o.bandwidth = plan_.node_bandwidth;
        o.rtt = plan_.node_rtt;
        o.concurrency = result_.key.concurrency;
        o.unpack = plan_.unpack;
        o.extract_root = dir_ / "extract";
        o.source = source_;
        return o;
    }

    void measure(const upstream_config& target) {
        const auto [repository, reference] = split_image_ref(result_.key.image);
        const auto n = result_.key.nodes;
        const bool ctr = plan_.client == bench_client::ctr;
        // With ctr, one built-in puller remains: it warms the proxy for proxy-warm.
        for (unsigned i = 0; i < (ctr ? 1 : n); ++i)
            nodes_.push_back(io_[i].call([&] { return std::make_unique<node_puller>(target, options_for(i)); }));
        if (ctr) {
            target_host_ = target.origin.host + ":" + target.origin.port;
            ctr_repository_ = target.send_ns ? registry_.name + "/" + repository : repository;
            for (unsigned i = 0; i < n; ++i)
                ctr_nodes_.push_back(std::make_unique<containerd_node>(dir_ / ("containerd-" + std::to_string(i + 1)),
                                                                       "node-" + std::to_string(i + 1)));
        }
        const auto strategy = result_.key.strategy;
        if (strategy == pull_strategy::proxy_warm) {
            const auto warm = io_[0].start(nodes_.front()->pull(repository, reference, false)).get();
            if (!warm.ok) throw std::runtime_error("warming the cache failed: " + warm.error);
        }
        if (strategy == pull_strategy::node_warm) first_pulls(repository, reference);
        if (relay_) io_[0].call([&] { return relay_->reset_counts(), 0; });
        const auto running = running_strata();
        const auto before = running ? upstream_body_bytes(plan_.proxy_url, plan_.proxy_token, registry_.name) : std::nullopt;
        result_.pulls = pull_all(repository, reference, strategy == pull_strategy::node_warm);
        if (running) {
            const auto after = upstream_body_bytes(plan_.proxy_url, plan_.proxy_token, registry_.name);
            if (before && after && *after >= *before) result_.upstream_bytes = *after - *before;  // else restarted
        } else if (relay_) {
            result_.upstream_bytes = io_[0].call([&] { return relay_->egress_bytes(); });
        }
        summarize();
    }

    // Every node's pull started at once, each on its node's thread (or its containerd).
    std::vector<image_pull> pull_all(const std::string& repository, const std::string& reference, bool use_cache) {
        if (!ctr_nodes_.empty()) return pull_with_ctr(ctr_nodes_, target_host_, ctr_repository_, reference, plan_.unpack);
        std::vector<std::future<image_pull>> started;
        for (std::size_t i = 0; i < nodes_.size(); ++i)
            started.push_back(io_[i].start(nodes_[i]->pull(repository, reference, use_cache)));
        std::vector<image_pull> pulls;
        for (auto& f : started) pulls.push_back(f.get());
        return pulls;
    }

    void first_pulls(const std::string& repository, const std::string& reference) {
        for (const auto& p : pull_all(repository, reference, false))
            if (!p.ok) throw std::runtime_error("the first pull (to fill the node caches) failed: " + p.error);
    }

    void summarize() {
        std::int64_t start = INT64_MAX, end = 0;
        for (const auto& p : result_.pulls) {
            start = std::min(start, p.start_ns), end = std::max(end, p.end_ns);
            if (p.ok && result_.image_bytes == 0) {
                result_.image_bytes = p.size;
                result_.layers = p.layers;
                result_.shape = p.shape;
            }
        }
        result_.wall_s = end > start ? static_cast<double>(end - start) / 1e9 : 0;
    }

    io_threads& io_;
    const pull_plan& plan_;
    const bench_registry& registry_;
    fs::path dir_;
    trial_result result_;
    std::string source_ = "upstream";
    const kernel_link* kernel_;
    std::unique_ptr<pacing_relay> relay_, back_relay_;
    std::unique_ptr<strata_child> cluster_, node_tier_;
    std::vector<std::unique_ptr<node_puller>> nodes_;
    std::vector<std::unique_ptr<containerd_node>> ctr_nodes_;
    std::string target_host_, ctr_repository_;
};

std::string describe(const trial_key& k) {
    std::ostringstream s;
    s << storage::printable(k.registry) << " " << storage::printable(k.image) << " " << strategy_name(k.strategy) << " nodes=" << k.nodes
      << " concurrency=" << (k.concurrency ? std::to_string(k.concurrency) : "all");
    return s.str();
}

}  // namespace

std::size_t trial_result::failed() const {
    return static_cast<std::size_t>(std::count_if(pulls.begin(), pulls.end(), [](const image_pull& p) { return !p.ok; }));
}

void run_pull_bench(const pull_plan& plan, const fs::path& work_dir, const bench_progress& progress,
                    const std::function<void(const trial_result&)>& on_trial) {
    // The link outlives the io threads: a relay's connection in flight may still open its sockets.
    const auto kernel = plan.kernel_shaping ? std::make_unique<kernel_link>(plan.upstream_bandwidth, work_dir) : nullptr;
    io_threads io;
    std::size_t number = 0;
    const auto total = std::to_string(plan.registries.size() * plan.images.size() * plan.strategies.size() *
                                      plan.nodes.size() * plan.concurrency.size());
    for (const auto& registry : plan.registries)
        for (const auto& image : plan.images)
            for (const auto strategy : plan.strategies)
                for (const auto nodes : plan.nodes)
                    for (const auto concurrency : plan.concurrency) {
                        const trial_key key{registry.name, image, strategy, nodes, concurrency};
                        progress("trial " + std::to_string(++number) + " of " + total + ": " + describe(key));
                        const auto dir = work_dir / ("trial-" + std::to_string(number));
                        trial_result result;
                        {
                            trial t(io, plan, registry, key, dir, kernel.get());
                            result = t.run();
                        }
                        std::error_code ec;
                        fs::remove_all(dir, ec);
                        on_trial(result);
                    }
}

}  // namespace strata::proxy

// upstream_set: builds the per-upstream clients (and their TLS contexts) at start-up.
#include "proxy/upstream/upstream_set.hpp"

namespace strata::proxy {

upstream_set::upstream_set(const config& cfg, metrics* m) {
    for (const auto& u : cfg.upstreams)
        clients_.emplace(u.name, std::make_unique<upstream_client>(u, cfg.timeouts, cfg.client, m));
}

nlohmann::json upstream_set::reachability() const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [name, client] : clients_) out[name] = client->reachability();
    return out;
}

nlohmann::json upstream_set::states() const {
    const auto now = std::chrono::steady_clock::now();
    const auto or_null = [](const std::optional<std::uint64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [name, client] : clients_) {
        const auto q = client->quota().at(now);
        const auto b = client->breaker().at(now);
        out[name] = {{"limit", or_null(q.limit)},
                     {"remaining", or_null(q.remaining)},
                     {"window_seconds", q.window_seconds ? nlohmann::json(q.window_seconds) : nlohmann::json()},
                     {"sparing", q.sparing},
                     {"sparing_for_seconds", q.sparing_for.count()},
                     {"down", b.down},
                     {"retry_in_seconds", std::chrono::ceil<std::chrono::seconds>(b.retry_in).count()},
                     {"consecutive_failures", b.consecutive_failures},
                     {"times_down", b.times_down}};
    }
    return out;
}

std::vector<metrics_sources::upstream_state> upstream_set::metric_states() const {
    std::vector<metrics_sources::upstream_state> out;
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [name, client] : clients_) {
        const auto q = client->quota().at(now);
        const auto b = client->breaker().at(now);
        out.push_back({name, q.limit, q.remaining, b.down, b.times_down});
    }
    return out;
}

std::uint64_t upstream_set::token_fetches() const {
    std::uint64_t n = 0;
    for (const auto& [name, client] : clients_) n += client->token_fetches();
    return n;
}

std::size_t upstream_set::token_bytes() const {
    std::size_t n = 0;
    for (const auto& [name, client] : clients_) n += client->token_bytes();
    return n;
}

std::size_t upstream_set::token_budget() const {
    std::size_t n = 0;
    for (const auto& [name, client] : clients_) n += client->token_budget();
    return n;
}

upstream_client& upstream_set::client(const upstream_config& upstream) const {
    return *clients_.at(upstream.name);
}

}  // namespace strata::proxy

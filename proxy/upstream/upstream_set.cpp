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

// upstream_set: builds the per-upstream clients (and their TLS contexts) at start-up.
#include "proxy/upstream_set.hpp"

namespace strata::proxy {

upstream_set::upstream_set(const config& cfg) {
    for (const auto& u : cfg.upstreams) clients_.emplace(u.name, std::make_unique<upstream_client>(u, cfg.timeouts, cfg.client));
}

upstream_client& upstream_set::client(const upstream_config& upstream) const {
    return *clients_.at(upstream.name);
}

}  // namespace strata::proxy

// upstream_set: one upstream_client per configured upstream, looked up by config entry.
#pragma once

#include "proxy/upstream/upstream_client.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

namespace strata::proxy {

// Built once at start; read-only afterwards, so thread-safe.
class upstream_set {
public:
    upstream_set(const config& cfg, metrics* m);
    // {"ghcr.io": "ok" | "unreachable" | "unknown", ...}
    nlohmann::json reachability() const;
    // Bearer tokens requested across all upstreams.
    std::uint64_t token_fetches() const;
    // Bytes of cached bearer tokens over every upstream, and their budgets added up.
    std::size_t token_bytes() const;
    std::size_t token_budget() const;
    upstream_client& client(const upstream_config& upstream) const;
    // {"docker.io": {"limit", "remaining", "window_seconds", "sparing", "sparing_for_seconds",
    //                "down", "retry_in_seconds", "consecutive_failures", "times_down"}, ...}
    // for /api/v1/stats; unknown quota values are null.
    nlohmann::json states() const;
    std::vector<metrics_sources::upstream_state> metric_states() const;

private:
    std::map<std::string, std::unique_ptr<upstream_client>> clients_;
};

}  // namespace strata::proxy

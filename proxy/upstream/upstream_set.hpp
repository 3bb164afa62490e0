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
    // {"docker.io": {"limit", "remaining", "window_seconds", "sparing", "sparing_for_seconds"}, ...}
    // for /api/v1/stats; unknown values are null.
    nlohmann::json quotas() const;
    std::vector<metrics_sources::quota_use> quota_uses() const;

private:
    std::map<std::string, std::unique_ptr<upstream_client>> clients_;
};

}  // namespace strata::proxy

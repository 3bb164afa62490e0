// health: liveness, readiness (a write to the data directory, a read of the index) and metrics.
#include "proxy/server/health.hpp"

#include "proxy/blocking.hpp"
#include "proxy/reply/replies.hpp"

#include <nlohmann/json.hpp>

namespace strata::proxy {

bool health_endpoints::serves(std::string_view target) const {
    return target == "/healthz" || target == "/readyz" || (target == "/metrics" && serve_metrics);
}

awaitable<reply> health_endpoints::answer(std::string_view target) const {
    if (target == "/healthz") co_return text_reply(http::status::ok, "text/plain", "ok\n");
    if (target == "/metrics")
        co_return text_reply(http::status::ok, "text/plain; version=0.0.4; charset=utf-8", counters.render());
    auto probe = [this] {
        auto temp = blobs.create_temp();
        if (!temp) return std::string("cannot create a file in the data directory");
        blobs.discard(*temp);
        try {
            (void)index.blob_totals();
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    const auto problem = co_await run_blocking(blocking, std::move(probe));
    nlohmann::json body = {{"ready", problem.empty()}, {"storage", problem.empty() ? "ok" : problem}};
    body["upstreams"] = upstreams.reachability();
    co_return json_reply(problem.empty() ? http::status::ok : http::status::service_unavailable, body);
}

}  // namespace strata::proxy

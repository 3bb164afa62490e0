// router: the endpoint table of the registry and admin APIs.
#pragma once

#include "proxy/net.hpp"
#include "proxy/protocol/route.hpp"
#include "proxy/server/proxy_context.hpp"
#include "storage/events/pull_event.hpp"

#include <string>
#include <string_view>

namespace strata::proxy {

// Which endpoints a listener serves: everything, or only /metrics, /healthz and /readyz.
enum class listener_role { main, metrics_only };

// What a request's connection says about it: the listener, the client, and whether this
// listener serves the admin API at all.
struct request_context {
    listener_role role = listener_role::main;
    bool peer_is_loopback = false;
    bool admin_enabled = false;
    std::string peer;
};

// The reply to req: health and metrics, the admin API (behind its guard), or the registry API
// (404 for unknown paths, 405 for other methods than GET and HEAD, and for push). For a registry
// request, ev gets the pull's kind, upstream, repository and reference (ev.kind stays empty for
// requests that are not pulls); the session writes the reply (write_reply), which fills in the
// rest. r is the connection's route, filled here and reused from request to request (its strings
// keep their capacity). body is the request's body, read by the session only for the admin
// endpoint that takes one (request_body.hpp). req, r, ev, rc and body must outlive the returned
// awaitable.
awaitable<reply> route_request(const proxy_context& ctx, const request& req, route& r, storage::pull_event& ev,
                               const request_context& rc, std::string_view body = {});

}  // namespace strata::proxy

// handle_request: the endpoint table of the registry and admin APIs and the responses it writes.
#pragma once

#include "proxy/net.hpp"
#include "proxy/server/proxy_context.hpp"
#include "storage/events/pull_event.hpp"

#include <string>

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

// Answers one request on stream, writing the whole response (blobs are streamed), and fills
// ev with what was served (ev.kind stays empty for requests that are not pulls). Returns true
// when the connection may serve another request.
awaitable<bool> handle_request(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                               storage::pull_event& ev, const request_context& rc);

}  // namespace strata::proxy

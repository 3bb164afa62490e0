// handle_request: the endpoint table of the registry and admin APIs and the responses it writes.
#pragma once

#include "proxy/net.hpp"
#include "proxy/proxy_context.hpp"
#include "storage/pull_event.hpp"

namespace strata::proxy {

// Which endpoints a listener serves: everything, or only /metrics, /healthz and /readyz.
enum class listener_role { main, metrics_only };

// Answers one request on stream, writing the whole response (blobs are streamed), and fills
// ev with what was served (ev.kind stays empty for requests that are not pulls). peer_is_loopback
// decides admin access when no admin token is configured. Returns true when the connection
// may serve another request.
awaitable<bool> handle_request(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                               storage::pull_event& ev, listener_role role, bool peer_is_loopback);

}  // namespace strata::proxy

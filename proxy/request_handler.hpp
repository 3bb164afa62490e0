// handle_request: the endpoint table of the registry API and the responses it writes.
#pragma once

#include "proxy/net.hpp"
#include "proxy/proxy_context.hpp"

namespace strata::proxy {

using request = http::request<http::empty_body>;

// Answers one request on stream, writing the whole response (blobs are streamed).
// Returns true when the connection may serve another request.
awaitable<bool> handle_request(proxy_context& ctx, beast::tcp_stream& stream, const request& req);

}  // namespace strata::proxy

// pins_api: GET, PUT and DELETE /api/v1/pins, images kept out of eviction at run time.
#pragma once

#include "proxy/net.hpp"
#include "proxy/server/proxy_context.hpp"

namespace strata::proxy {

// GET lists {"config": [...], "api": [...]}; PUT ?ref=upstream/repository:tag|@digest adds a
// pin (kept in the index across restarts); DELETE ?ref= removes one added here (config pins
// change with the config). 400 for a malformed ref, 404 to delete an unknown one. The caller
// has already checked the admin token.
awaitable<bool> handle_pins(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                            storage::pull_event& ev);

}  // namespace strata::proxy

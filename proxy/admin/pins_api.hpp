// pins_api: GET, PUT and DELETE /api/v1/pins, images kept out of eviction at run time.
#pragma once

#include "proxy/net.hpp"
#include "proxy/reply/reply.hpp"
#include "storage/index/metadata_index.hpp"

#include <string>
#include <vector>

namespace strata::proxy {

// GET lists {"config": [...], "api": [...]}; PUT ?ref=upstream/repository:tag|@digest adds a
// pin (kept in the index across restarts); DELETE ?ref= removes one added here (config pins
// change with the config). 400 for a malformed ref, 404 to delete an unknown one. The caller
// has already checked the admin token.
awaitable<reply> handle_pins(storage::metadata_index& index, asio::thread_pool& blocking,
                             const std::vector<std::string>& configured, const request& req);

}  // namespace strata::proxy

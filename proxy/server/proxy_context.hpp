// proxy_context: what the server hands a request: each endpoint group with only the services it uses.
#pragma once

#include "proxy/admin/admin_api.hpp"
#include "proxy/auth/pull_auth.hpp"
#include "proxy/config/config.hpp"
#include "proxy/observe/request_observer.hpp"
#include "proxy/registry/registry_api.hpp"
#include "proxy/server/client_connections.hpp"
#include "proxy/server/health.hpp"

#include <string>

namespace strata::proxy {

// References only, built by the serve command over the services it owns (proxy_services) and
// living as long as they do.
struct proxy_context {
    const config& cfg;  // routes name its upstreams; client timeouts
    client_connections& connections;
    const std::string& admin_token;  // with none, the admin API is served on loopback listeners only
    pull_auth* pull_users;           // with none, anyone who reaches the listener may pull
    health_endpoints health;
    registry_api registry;
    admin_api admin;
    request_observer observer;
};

}  // namespace strata::proxy

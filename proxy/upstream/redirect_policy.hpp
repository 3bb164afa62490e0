// redirect_policy: where an upstream may send strata (redirects, token realms) and with what.
#pragma once

#include "proxy/config/config.hpp"
#include "proxy/net.hpp"

#include <optional>
#include <string>

namespace strata::proxy {

// Where one request goes: an origin and a target.
struct location {
    bool tls = true;
    std::string host;
    std::string port;
    std::string target;

    std::string origin() const { return (tls ? "https://" : "http://") + host + ":" + port; }
};

// Parses an absolute http(s) URL or, relative to `from`, an absolute path. Never throws:
// nullopt for anything else, for user info, a bad host or port, or a target holding anything
// but visible ASCII (it becomes a request line).
std::optional<location> resolve_location(const location& from, std::string_view url);

// True for the upstream's own scheme, host and port.
bool is_own_origin(const upstream_config& u, const location& where);

// True for addresses no public registry redirects to: loopback, link-local, private (RFC 1918,
// IPv6 unique-local), unspecified, multicast, CGNAT, and IPv4-mapped forms of these.
bool is_internal_address(const asio::ip::address& a);

// Why strata will not follow an upstream to `to` (a Location or a token realm), judged on the
// name before any connection: an https upstream never leads to plain http. nullopt: go on, and
// check each resolved address with address_allowed.
std::optional<std::string> refuse_target(const upstream_config& u, const location& to);

// Whether a resolved address of `to` may be connected to: any public address; an internal one
// only for the upstream's own origin or a host (or host:port) listed in u.redirect_hosts.
bool address_allowed(const upstream_config& u, const location& to, const asio::ip::address& a);

// Whether credentials may go to `to`: the upstream's own origin, or an origin over verified TLS.
bool may_send_credentials(const upstream_config& u, const location& to);

}  // namespace strata::proxy

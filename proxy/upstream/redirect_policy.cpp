// redirect_policy: Location parsing and the scheme, address and credential rules for targets.
#include "proxy/upstream/redirect_policy.hpp"

#include <algorithm>

namespace strata::proxy {
namespace {

bool visible_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool internal_v4(const asio::ip::address_v4& a) {
    const auto b = a.to_bytes();
    return a.is_loopback() || a.is_multicast() || a.is_unspecified() || b[0] == 10 || b[0] == 0 ||
           (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
           (b[0] == 100 && (b[1] & 0xc0) == 64) || b[0] >= 240;
}

bool listed(const upstream_config& u, const location& to) {
    const auto with_port = to.host + ":" + to.port;
    return std::any_of(u.redirect_hosts.begin(), u.redirect_hosts.end(),
                       [&](const std::string& h) { return h == to.host || h == with_port; });
}

}  // namespace

std::optional<location> resolve_location(const location& from, std::string_view url) {
    if (!visible_ascii(url)) return std::nullopt;
    if (url.starts_with("/")) {
        if (url.starts_with("//")) return std::nullopt;  // scheme-relative: another host in disguise
        return location{from.tls, from.host, from.port, std::string(url)};
    }
    const bool tls = url.starts_with("https://");
    if (!tls && !url.starts_with("http://")) return std::nullopt;
    const auto scheme_end = url.find("://") + 3;
    const auto slash = url.find_first_of("/?#", scheme_end);
    const auto authority = url.substr(0, slash);
    auto origin = try_parse_origin(authority);
    if (!origin) return std::nullopt;
    location to{origin->tls, origin->host, origin->port, "/"};
    if (slash != std::string_view::npos) {
        auto rest = url.substr(slash);
        rest = rest.substr(0, rest.find('#'));
        to.target.assign(rest.starts_with("?") ? "/" : "");
        to.target.append(rest);
        if (to.target.empty()) to.target = "/";
    }
    return to;
}

bool is_own_origin(const upstream_config& u, const location& where) {
    return where.tls == u.origin.tls && where.host == u.origin.host && where.port == u.origin.port;
}

bool is_internal_address(const asio::ip::address& a) {
    if (a.is_v4()) return internal_v4(a.to_v4());
    const auto v6 = a.to_v6();
    if (v6.is_v4_mapped()) return internal_v4(asio::ip::make_address_v4(asio::ip::v4_mapped, v6));
    const auto b = v6.to_bytes();
    return v6.is_loopback() || v6.is_unspecified() || v6.is_link_local() || v6.is_multicast() || v6.is_site_local() ||
           (b[0] & 0xfe) == 0xfc;
}

std::optional<std::string> refuse_target(const upstream_config& u, const location& to) {
    if (u.origin.tls && !to.tls) return "https upstream redirected to plain http";
    return std::nullopt;
}

bool address_allowed(const upstream_config& u, const location& to, const asio::ip::address& a) {
    return !is_internal_address(a) || is_own_origin(u, to) || listed(u, to);
}

bool may_send_credentials(const upstream_config& u, const location& to) {
    return is_own_origin(u, to) || (to.tls && u.tls_verify);
}

}  // namespace strata::proxy

// pull_credentials: what a client's Authorization header presents, parsed without trusting it.
#pragma once

#include <string>
#include <string_view>

namespace strata::proxy {

// The credentials of one request: none, a Basic user and password, a bearer token, or a header
// that is neither (malformed: bad base64, no colon, over the size limit, another scheme).
struct pull_credentials {
    enum class kind { none, basic, bearer, malformed };
    kind what = kind::none;
    std::string user;    // basic
    std::string secret;  // the basic password or the bearer token
};

// At most this many bytes of Authorization are looked at; a longer header is malformed.
inline constexpr std::size_t max_authorization_bytes = 4096;

// Parses "Basic base64(user:password)" or "Bearer token" (scheme names case-insensitive, RFC 9110
// 11.1). Never throws.
pull_credentials parse_pull_credentials(std::string_view authorization);

// Strict base64 (RFC 4648, padding required); false on any other byte.
bool decode_base64(std::string_view text, std::string& out);

}  // namespace strata::proxy

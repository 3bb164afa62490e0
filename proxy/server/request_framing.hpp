// request_framing: RFC 9112 checks of a client request's header before strata trusts its framing.
#pragma once

#include "proxy/net.hpp"

#include <optional>
#include <string>

namespace strata::proxy {

// Why a request's framing is refused: the status to answer with and a message for the client.
struct framing_error {
    http::status status;
    std::string message;
};

// Checks what decides where a request ends and whom it is for (RFC 9112 §3.2, §6):
//  - an HTTP/1.1 request has exactly one Host field (400 otherwise);
//  - Transfer-Encoding is a list of codings whose last is "chunked" and which holds no other
//    coding: strata implements only chunked (501 for any other coding, including "identity",
//    which RFC 9112 no longer defines; 400 for a list that is not a list of tokens);
//  - Transfer-Encoding together with Content-Length is refused (400), as is more than one
//    Content-Length.
// Pure: reads only the header. std::nullopt when the framing is acceptable.
std::optional<framing_error> check_request_framing(const http::request_header<request_fields>& header);

}  // namespace strata::proxy

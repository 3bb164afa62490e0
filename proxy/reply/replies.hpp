// replies: the builders of whole replies: text and JSON, OCI errors, refusals.
#pragma once

#include "proxy/reply/reply.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

namespace strata::proxy {

// A reply known without waiting, as an awaitable (for endpoints that return one).
awaitable<reply> at_once(reply r);

// A text or JSON body with its content type.
reply text_reply(http::status status, std::string_view content_type, std::string body);

// A JSON document as text, on one line. Strings from clients, upstreams or the index may hold
// bytes that are not UTF-8: they become U+FFFD instead of making the dump throw.
std::string json_text(const nlohmann::json& doc);
// An application/json reply of json_text(doc).
reply json_reply(http::status status, const nlohmann::json& doc);

// The OCI error for a strata failure, with detail (the repository, digest or reference).
reply error_reply(error_code ec, std::string_view detail);

// An OCI error for an explicit status and code: 404 for unknown paths, 405, 400 for a bad query.
reply refusal(http::status status, std::string_view code, std::string_view message);
// The same with one more header (Allow, Retry-After, WWW-Authenticate), whose value is strata's own.
reply refusal(http::status status, std::string_view code, std::string_view message, http::field field,
              std::string_view value);

}  // namespace strata::proxy

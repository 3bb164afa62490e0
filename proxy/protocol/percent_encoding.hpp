// percent_encoding: RFC 3986 percent-encoding of form values and paths, and strict decoding.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace strata::proxy {

// Encodes every byte but RFC 3986's unreserved characters (ALPHA DIGIT - . _ ~) and those in
// keep (say "/:@" for a path) as %XX with upper-case hex. Pure.
std::string percent_encode(std::string_view s, std::string_view keep = {});

// Decodes %XX escapes; nullopt for a malformed escape or an encoded NUL. Pure.
std::optional<std::string> percent_decode(std::string_view s);

}  // namespace strata::proxy

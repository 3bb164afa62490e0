// header_text: small helpers for HTTP header values: optional whitespace, ASCII case.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace strata::proxy {

// s without the spaces and tabs (RFC 9110 OWS) around it.
inline std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// s with ASCII letters lower-cased (media types, auth schemes and parameter names are
// case-insensitive); other bytes unchanged, whatever the locale.
inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    return out;
}

}  // namespace strata::proxy

// dockerfile_text: the character classes the Dockerfile readers share (ASCII only, locale-free).
#pragma once

#include <string>
#include <string_view>

namespace strata::analytics::dockerfile_chars {

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

inline std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace strata::analytics::dockerfile_chars

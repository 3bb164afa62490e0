// pull_credentials: the Basic and Bearer schemes, strict base64.
#include "proxy/auth/pull_credentials.hpp"

#include <array>
#include <cctype>

namespace strata::proxy {
namespace {

constexpr std::array<signed char, 256> base64_values = [] {
    std::array<signed char, 256> v{};
    v.fill(-1);
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i) v[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
    return v;
}();

bool starts_with_scheme(std::string_view header, std::string_view scheme) {
    if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return false;
    return true;
}

std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

// A bearer token is token68 (RFC 9110 11.2): letters, digits and -._~+/ then any '='.
bool is_token68(std::string_view t) {
    std::size_t i = 0;
    while (i < t.size() && (std::isalnum(static_cast<unsigned char>(t[i])) || std::string_view("-._~+/").find(t[i]) != std::string_view::npos))
        ++i;
    if (i == 0) return false;
    while (i < t.size() && t[i] == '=') ++i;
    return i == t.size();
}

}  // namespace

bool decode_base64(std::string_view text, std::string& out) {
    out.clear();
    if (text.size() % 4 != 0) return false;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        int pad = 0;
        std::uint32_t group = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const char c = text[i + j];
            if (c == '=' && last && j >= 2 && (j == 3 || text[i + 3] == '=')) {
                ++pad;
                group <<= 6;
                continue;
            }
            const auto v = base64_values[static_cast<unsigned char>(c)];
            if (v < 0 || pad) return false;
            group = (group << 6) | static_cast<std::uint32_t>(v);
        }
        // Canonical only: the bits a padded group leaves over are zero.
        if ((pad == 1 && (group & 0xff) != 0) || (pad == 2 && (group & 0xffff) != 0)) return false;
        out.push_back(static_cast<char>(group >> 16));
        if (pad < 2) out.push_back(static_cast<char>((group >> 8) & 0xff));
        if (pad < 1) out.push_back(static_cast<char>(group & 0xff));
    }
    return true;
}

pull_credentials parse_pull_credentials(std::string_view authorization) {
    pull_credentials c;
    authorization = trim_spaces(authorization);
    if (authorization.empty()) return c;
    c.what = pull_credentials::kind::malformed;
    if (authorization.size() > max_authorization_bytes) return c;
    if (starts_with_scheme(authorization, "basic")) {
        std::string decoded;
        if (!decode_base64(trim_spaces(authorization.substr(6)), decoded)) return c;
        const auto colon = decoded.find(':');
        if (colon == std::string::npos || colon == 0) return c;
        c.user = decoded.substr(0, colon);
        c.secret = decoded.substr(colon + 1);
        c.what = pull_credentials::kind::basic;
    } else if (starts_with_scheme(authorization, "bearer")) {
        const auto token = trim_spaces(authorization.substr(7));
        if (!is_token68(token)) return c;
        c.secret = token;
        c.what = pull_credentials::kind::bearer;
    }
    return c;
}

}  // namespace strata::proxy

// rate_limit: a count, then ;-separated name=value parameters, of which w is the window.
#include "proxy/protocol/rate_limit.hpp"

#include "proxy/protocol/decimal.hpp"

namespace strata::proxy {
namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// At most 18 digits: no count or window near 64 bits is real, and sums of them cannot overflow.
std::optional<std::uint64_t> count_of(std::string_view digits) {
    if (digits.size() > 18) return std::nullopt;
    return whole_decimal(digits);
}

bool is_token(std::string_view name) {
    if (name.empty()) return false;
    for (const char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

}  // namespace

std::optional<rate_limit_value> parse_rate_limit(std::string_view value) {
    auto semicolon = value.find(';');
    const auto count = count_of(trimmed(value.substr(0, semicolon)));
    if (!count) return std::nullopt;
    rate_limit_value out{*count, 0};
    while (semicolon != std::string_view::npos) {
        value.remove_prefix(semicolon + 1);
        semicolon = value.find(';');
        const auto parameter = value.substr(0, semicolon);
        const auto equals = parameter.find('=');
        if (equals == std::string_view::npos) return std::nullopt;
        const auto name = trimmed(parameter.substr(0, equals));
        const auto text = trimmed(parameter.substr(equals + 1));
        if (!is_token(name) || text.empty()) return std::nullopt;
        if (name == "w" || name == "W") {
            const auto window = count_of(text);
            if (!window) return std::nullopt;
            out.window_seconds = *window;
        }
    }
    return out;
}

}  // namespace strata::proxy

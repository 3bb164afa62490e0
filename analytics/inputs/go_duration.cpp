// go_duration: a left-to-right scan of number-unit pairs.
#include "analytics/inputs/go_duration.hpp"

#include <cctype>
#include <charconv>
#include <utility>

namespace strata::analytics {
namespace {

constexpr std::pair<std::string_view, double> units[] = {
    // Longer names first where one is a prefix of another ("ms" before "m").
    {"ns", 1e-9}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"\xCE\xBCs", 1e-6}, {"ms", 1e-3}, {"s", 1.0}, {"m", 60.0}, {"h", 3600.0},
};

// Reads the digits-and-dot prefix of rest as a number.
std::optional<double> take_number(std::string_view& rest) {
    std::size_t n = 0;
    bool digits = false;
    while (n < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[n])) || rest[n] == '.')) {
        digits = digits || rest[n] != '.';
        ++n;
    }
    if (!digits) return std::nullopt;
    double value = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + n, value);
    if (ec != std::errc() || end != rest.data() + n) return std::nullopt;
    rest.remove_prefix(n);
    return value;
}

std::optional<double> take_unit(std::string_view& rest) {
    for (const auto& [name, scale] : units)
        if (rest.starts_with(name)) {
            rest.remove_prefix(name.size());
            return scale;
        }
    return std::nullopt;
}

}  // namespace

std::optional<double> parse_go_duration_seconds(std::string_view text) {
    double sign = 1;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        sign = text.front() == '-' ? -1 : 1;
        text.remove_prefix(1);
    }
    if (text == "0") return 0.0;
    if (text.empty()) return std::nullopt;
    double total = 0;
    while (!text.empty()) {
        const auto number = take_number(text);
        if (!number) return std::nullopt;
        const auto scale = take_unit(text);
        if (!scale) return std::nullopt;
        total += *number * *scale;
    }
    return sign * total;
}

}  // namespace strata::analytics

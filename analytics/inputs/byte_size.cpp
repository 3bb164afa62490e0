// byte_size: a number, optional spaces, a unit from a fixed table.
#include "analytics/inputs/byte_size.hpp"

#include <cmath>
#include <cstdlib>
#include <string>

namespace strata::analytics {
namespace {

std::optional<double> scaled(std::string_view text) {
    const std::string s(text);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || !std::isfinite(v) || v < 0) return std::nullopt;
    std::string_view unit(end);
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    struct scale {
        std::string_view name;
        double factor;
    };
    static constexpr scale units[] = {{"", 1},           {"B", 1},          {"kB", 1e3},       {"KB", 1e3},
                                      {"MB", 1e6},       {"GB", 1e9},       {"TB", 1e12},      {"PB", 1e15},
                                      {"KiB", 1024.0},   {"MiB", 1048576.0}, {"GiB", 1073741824.0},
                                      {"TiB", 1099511627776.0}};
    for (const auto& u : units)
        if (unit == u.name) return v * u.factor;
    return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
    const auto v = scaled(text);
    if (!v || *v >= 18446744073709551615.0) return std::nullopt;
    return static_cast<std::uint64_t>(std::llround(*v));
}

std::optional<double> parse_byte_rate(std::string_view text) {
    if (text.ends_with("/s")) text.remove_suffix(2);
    const auto v = scaled(text);
    if (!v || *v <= 0) return std::nullopt;
    return *v;
}

}  // namespace strata::analytics

// decimal: a whole number written in ASCII digits only, as headers and config files write them.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace strata::proxy {

// The number the text is, digits only (no sign, space or trailing byte); nullopt when empty,
// anything else, or beyond 64 bits.
inline std::optional<std::uint64_t> whole_decimal(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace strata::proxy

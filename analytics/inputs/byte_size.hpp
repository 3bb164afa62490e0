// byte_size: sizes and rates as people write them: "50GB", "1.5 TiB", "200MB/s", "123456".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace strata::analytics {

// Decimal (kB, MB, GB, TB) and binary (KiB, MiB, GiB, TiB) units, or plain bytes; nullopt for
// anything else, negative or past 2^64.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

// A size per second: "200MB/s", "1GiB/s", "1e9" (bytes per second); nullopt if not positive.
std::optional<double> parse_byte_rate(std::string_view text);

}  // namespace strata::analytics

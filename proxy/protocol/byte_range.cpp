// resolve_range: the single-range subset of RFC 9110 byte ranges that registries serve.
#include "proxy/protocol/byte_range.hpp"

#include "proxy/protocol/decimal.hpp"

namespace strata::proxy {

result<std::optional<byte_range>> resolve_range(std::string_view header, std::uint64_t size) {
    constexpr std::string_view unit = "bytes=";
    if (!header.starts_with(unit)) return std::optional<byte_range>{};
    const auto spec = header.substr(unit.size());
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos || spec.find(',') != std::string_view::npos)
        return std::optional<byte_range>{};

    if (dash == 0) {  // suffix: the last N bytes
        const auto suffix = whole_decimal(spec.substr(1));
        if (!suffix) return std::optional<byte_range>{};
        if (*suffix == 0 || size == 0) return errc::range_unsatisfiable;
        const auto n = std::min(*suffix, size);
        return std::optional<byte_range>{byte_range{size - n, size - 1}};
    }
    const auto first = whole_decimal(spec.substr(0, dash));
    if (!first) return std::optional<byte_range>{};
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (dash + 1 < spec.size()) {
        const auto parsed_last = whole_decimal(spec.substr(dash + 1));
        if (!parsed_last || *parsed_last < *first) return std::optional<byte_range>{};
        last = std::min(*parsed_last, last);
    }
    if (*first >= size) return errc::range_unsatisfiable;
    return std::optional<byte_range>{byte_range{*first, last}};
}

}  // namespace strata::proxy

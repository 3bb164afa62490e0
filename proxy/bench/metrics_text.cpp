// metrics_text: NAME{labels} VALUE lines, read without a regex.
#include "proxy/bench/metrics_text.hpp"

#include <charconv>
#include <cmath>

namespace strata::proxy {

std::optional<double> metric_sum(std::string_view text, std::string_view name, std::string_view label,
                                 std::string_view value) {
    std::optional<double> sum;
    const std::string wanted = std::string(label) + "=\"" + std::string(value) + "\"";
    while (!text.empty()) {
        const auto end = text.find('\n');
        const auto line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (!line.starts_with(name) || line.size() <= name.size()) continue;
        const char next = line[name.size()];
        if (next != '{' && next != ' ') continue;
        const auto space = line.rfind(' ');
        const auto labels = line.substr(name.size(), space - name.size());
        if (!label.empty() && labels.find(wanted) == std::string_view::npos) continue;
        double v = 0;
        const auto number = line.substr(space + 1);
        const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
        if (ec != std::errc() || ptr != number.data() + number.size() || !std::isfinite(v)) continue;
        sum = sum.value_or(0) + v;
    }
    return sum;
}

}  // namespace strata::proxy

// query: a linear walk over '&'-separated pairs.
#include "proxy/protocol/query.hpp"

#include "proxy/protocol/percent_encoding.hpp"

namespace strata::proxy {

std::vector<std::string> query_values(std::string_view target, std::string_view key) {
    std::vector<std::string> out;
    const auto q = target.find('?');
    if (q == std::string_view::npos) return out;
    auto query = target.substr(q + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        if (pair.starts_with(key) && pair.size() > key.size() && pair[key.size()] == '=')
            if (auto value = percent_decode(pair.substr(key.size() + 1))) out.push_back(std::move(*value));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return out;
}

std::string query_value(std::string_view target, std::string_view key) {
    auto values = query_values(target, key);
    return values.empty() ? std::string() : std::move(values.front());
}

}  // namespace strata::proxy

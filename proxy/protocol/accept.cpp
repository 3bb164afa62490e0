// accept_list: parses Accept values into media types and answers "is this type acceptable".
#include "proxy/protocol/accept.hpp"

#include "proxy/protocol/header_text.hpp"

#include <algorithm>

namespace strata::proxy {
namespace {

// True when the parameter list contains q=0 (or q=0.0, q=0.000).
bool has_zero_quality(std::string_view params) {
    while (!params.empty()) {
        const auto semi = params.find(';');
        const auto param = trim_ows(params.substr(0, semi));
        if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
            const auto v = param.substr(2);
            return !v.empty() && v.find_first_not_of("0.") == std::string_view::npos;
        }
        if (semi == std::string_view::npos) break;
        params.remove_prefix(semi + 1);
    }
    return false;
}

void add_unique(std::vector<std::string>& list, std::string type) {
    if (std::find(list.begin(), list.end(), type) == list.end()) list.push_back(std::move(type));
}

}  // namespace

void accept_list::add_header(std::string_view value) {
    while (!value.empty()) {
        const auto comma = value.find(',');
        const auto entry = value.substr(0, comma);
        const auto semi = entry.find(';');
        const auto type = trim_ows(entry.substr(0, semi));
        if (!type.empty()) {
            const bool refused = semi != std::string_view::npos && has_zero_quality(entry.substr(semi + 1));
            add_unique(refused ? refused_ : types_, ascii_lower(type));
        }
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
}

bool accept_list::accepts(std::string_view type) const {
    const auto type_lower = ascii_lower(type);
    if (std::find(refused_.begin(), refused_.end(), type_lower) != refused_.end()) return false;
    if (types_.empty()) return refused_.empty();
    return std::any_of(types_.begin(), types_.end(),
                       [&](const std::string& t) { return t == type_lower || t == "*/*"; });
}

std::string accept_list::header_value() const {
    std::string out;
    for (const auto& t : types_) {
        if (!out.empty()) out += ", ";
        out += t;
    }
    return out;
}

}  // namespace strata::proxy

// json_input: guarded JSON parsing: a depth pre-check, non-throwing parse, typed lookups.
#include "analytics/inputs/json_input.hpp"

#include <algorithm>

namespace strata::analytics {

using json = nlohmann::json;

bool too_deep(std::string_view text) {
    // Most text cannot nest that deep at all: counting is much cheaper than tracking strings.
    if (std::count(text.begin(), text.end(), '{') + std::count(text.begin(), text.end(), '[') <= max_json_depth)
        return false;
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max_json_depth) return true;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return false;
}

json parse_json_guarded(std::string_view text) {
    if (too_deep(text)) return json(json::value_t::discarded);
    return json::parse(text, nullptr, false);
}

}  // namespace strata::analytics

// json_input: gzip-aware file reading (zlib) and guarded JSON parsing.
#include "analytics/json_input.hpp"

#include <zlib.h>

namespace strata::analytics {

using json = nlohmann::json;

bool too_deep(std::string_view text) {
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

std::optional<std::string> read_maybe_gzipped(const std::filesystem::path& path, std::size_t max_bytes) {
    gzFile f = gzopen(path.c_str(), "rb");  // reads plain files as they are
    if (!f) return std::nullopt;
    std::string out;
    char buffer[1 << 16];
    for (;;) {
        const int n = gzread(f, buffer, sizeof buffer);
        if (n < 0 || out.size() + static_cast<std::size_t>(n) > max_bytes) {
            gzclose(f);
            return std::nullopt;
        }
        if (n == 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    gzclose(f);
    return out;
}

json parse_json_guarded(std::string_view text) {
    if (too_deep(text)) return json(json::value_t::discarded);
    return json::parse(text, nullptr, false);
}

std::string text_at(const json& j, std::initializer_list<const char*> path) {
    const json* at = &j;
    for (const char* key : path) {
        if (!at->is_object()) return {};
        const auto it = at->find(key);
        if (it == at->end()) return {};
        at = &*it;
    }
    return at->is_string() ? at->get<std::string>() : std::string();
}

}  // namespace strata::analytics

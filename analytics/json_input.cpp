// json_input: gzip-aware file reading (zlib) and guarded JSON parsing.
#include "analytics/json_input.hpp"

#include <zlib.h>

#include <algorithm>
#include <fstream>

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

namespace {

// What the file will decompress to, as a first guess for the buffer: the gzip trailer's
// length (mod 4 GiB, and forgeable, so only a hint) or the plain file's size.
std::size_t expected_size(const std::filesystem::path& path, std::size_t max_bytes) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) return 0;
    const auto size = static_cast<std::size_t>(f.tellg());
    unsigned char head[2] = {}, tail[4] = {};
    f.seekg(0);
    f.read(reinterpret_cast<char*>(head), 2);
    if (size < 18 || head[0] != 0x1f || head[1] != 0x8b) return std::min(size, max_bytes);
    f.seekg(static_cast<std::streamoff>(size - 4));
    f.read(reinterpret_cast<char*>(tail), 4);
    const std::size_t isize = tail[0] | tail[1] << 8 | tail[2] << 16 | std::size_t{tail[3]} << 24;
    return std::min(isize, max_bytes);
}

}  // namespace

std::optional<std::string> read_maybe_gzipped(const std::filesystem::path& path, std::size_t max_bytes) {
    gzFile f = gzopen(path.c_str(), "rb");  // reads plain files as they are
    if (!f) return std::nullopt;
    std::string out;
    out.resize(std::max<std::size_t>(expected_size(path, max_bytes), 1 << 16));
    std::size_t used = 0;
    for (;;) {
        if (used == out.size()) {
            if (out.size() >= max_bytes) {
                // Full: one more byte means the file is over the limit.
                char probe = 0;
                const bool more = gzread(f, &probe, 1) != 0;
                gzclose(f);
                if (more) return std::nullopt;
                return out;
            }
            out.resize(std::min(out.size() * 2, max_bytes));
        }
        const auto want = static_cast<unsigned>(std::min<std::size_t>(out.size() - used, 1u << 30));
        const int n = gzread(f, out.data() + used, want);
        if (n < 0) {
            gzclose(f);
            return std::nullopt;
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
    }
    gzclose(f);
    out.resize(used);
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

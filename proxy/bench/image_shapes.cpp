// image_shapes: SIZE:LAYERS items checked one by one.
#include "proxy/bench/image_shapes.hpp"

#include "analytics/inputs/byte_size.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <charconv>
#include <stdexcept>

namespace strata::proxy {
namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

image_shape parse_one(std::string_view item) {
    const auto bad = [&](const std::string& why) {
        return std::invalid_argument("shape '" + storage::printable(item.substr(0, 200)) + "': " + why);
    };
    const auto colon = item.rfind(':');
    if (colon == std::string_view::npos) throw bad("write SIZE:LAYERS, such as 1GB:4");
    const auto size = analytics::parse_byte_size(trimmed(item.substr(0, colon)));
    if (!size || *size == 0) throw bad("the size is not a size such as 1GB or 512MiB");
    const auto count_text = trimmed(item.substr(colon + 1));
    unsigned layers = 0;
    const auto [end, ec] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), layers);
    if (count_text.empty() || ec != std::errc() || end != count_text.data() + count_text.size() || layers == 0 ||
        layers > max_shape_layers)
        throw bad("the layer count must be a whole number from 1 to " + std::to_string(max_shape_layers));
    if (*size > max_shape_bytes) throw bad("over 1 TiB");
    if (*size / layers < min_layer_bytes) throw bad("each layer would be under 1 KiB");
    return {*size, layers, std::string(trimmed(item))};
}

}  // namespace

std::uint64_t image_shape::layer_bytes(unsigned i) const {
    if (layer_shares.size() != layers || i >= layers) return bytes / layers;
    // A share is of the whole: never more than all of it, whatever a profile says.
    const double part = std::isfinite(layer_shares[i]) ? std::clamp(layer_shares[i], 0.0, 1.0) : 0.0;
    const double share = part * static_cast<double>(bytes);
    const auto rounded = share >= static_cast<double>(bytes) ? bytes : static_cast<std::uint64_t>(std::llround(share));
    return std::clamp(rounded, std::min(min_layer_bytes, bytes), bytes);
}

std::string image_shape::repository(std::string_view prefix) const {
    std::string name;
    for (const char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c)))
            name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        else if (c == ':')
            name += '-';
        else if (c == '.')
            name += '_';
    }
    return std::string(prefix) + '/' + name;
}

std::vector<image_shape> parse_image_shapes(std::string_view text) {
    std::vector<image_shape> shapes;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto item = trimmed(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (item.empty()) continue;
        auto shape = parse_one(item);
        const auto same = [&](const image_shape& s) { return s.bytes == shape.bytes && s.layers == shape.layers; };
        if (std::any_of(shapes.begin(), shapes.end(), same))
            throw std::invalid_argument("shape '" + storage::printable(shape.text) + "' is given twice");
        shapes.push_back(std::move(shape));
    }
    if (shapes.empty()) throw std::invalid_argument("no shapes given (write SIZE:LAYERS, such as 1GB:4)");
    return shapes;
}

}  // namespace strata::proxy

// event_labels: one walk over "k=v,k=v" serves both the whole map and a single lookup.
#include "storage/events/event_labels.hpp"

namespace strata::storage {
namespace {

// Calls visit(key, value) for each well-formed pair in order.
template <typename Visit>
void for_each_label(std::string_view text, Visit&& visit) {
    while (!text.empty()) {
        const auto comma = text.find(',');
        const auto pair = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && eq > 0) visit(pair.substr(0, eq), pair.substr(eq + 1));
    }
}

}  // namespace

std::map<std::string, std::string> parse_event_labels(std::string_view text) {
    std::map<std::string, std::string> out;
    for_each_label(text, [&](std::string_view k, std::string_view v) { out[std::string(k)] = std::string(v); });
    return out;
}

std::optional<std::string_view> find_event_label(std::string_view text, std::string_view key) noexcept {
    std::optional<std::string_view> found;
    for_each_label(text, [&](std::string_view k, std::string_view v) {
        if (k == key) found = v;
    });
    return found;
}

}  // namespace strata::storage

// Hand-written matchers for the distribution-spec name and tag grammars (no regex on the hot path).
#include "storage/oci/reference.hpp"

namespace strata::storage {
namespace {

bool is_alnum_lower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool is_valid_component(std::string_view c) {
    if (c.empty() || !is_alnum_lower(c.front()) || !is_alnum_lower(c.back())) return false;
    std::size_t i = 0;
    while (i < c.size()) {
        if (is_alnum_lower(c[i])) {
            ++i;
            continue;
        }
        // A separator run: ".", "_", "__" or one or more "-"; always followed by an alnum.
        const std::size_t start = i;
        if (c[i] == '.') {
            ++i;
        } else if (c[i] == '_') {
            ++i;
            if (i < c.size() && c[i] == '_') ++i;
        } else if (c[i] == '-') {
            while (i < c.size() && c[i] == '-') ++i;
        } else {
            return false;
        }
        if (i == start || i >= c.size() || !is_alnum_lower(c[i])) return false;
    }
    return true;
}

bool is_tag_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

}  // namespace

bool is_valid_repository(std::string_view name) noexcept {
    if (name.empty() || name.size() > max_repository_length) return false;
    std::size_t start = 0;
    while (true) {
        const auto slash = name.find('/', start);
        const auto component = name.substr(start, slash == std::string_view::npos ? slash : slash - start);
        if (!is_valid_component(component)) return false;
        if (slash == std::string_view::npos) return true;
        start = slash + 1;
    }
}

bool is_valid_registry_host(std::string_view host) noexcept {
    const auto colon = host.find(':');
    const auto name = host.substr(0, colon);
    if (colon != std::string_view::npos) {
        const auto port = host.substr(colon + 1);
        if (port.empty() || port.size() > 5) return false;
        for (const char c : port)
            if (c < '0' || c > '9') return false;
    }
    if (name.empty() || name.size() > 253) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '.') {
            if (label == 0 || name[i - 1] == '-' || name[i - label] == '-') return false;
            label = 0;
            continue;
        }
        const char c = name[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok || ++label > 63) return false;
    }
    return true;
}

bool is_valid_tag(std::string_view tag) noexcept {
    if (tag.empty() || tag.size() > 128 || tag.front() == '.' || tag.front() == '-') return false;
    for (char c : tag)
        if (!is_tag_char(c)) return false;
    return true;
}

result<manifest_reference> manifest_reference::parse(std::string_view text) {
    if (text.find(':') != std::string_view::npos) {
        auto d = digest::parse(text);
        if (!d) return d.error();
        return manifest_reference{*d};
    }
    if (!is_valid_tag(text)) return errc::tag_invalid;
    return manifest_reference{std::string(text)};
}

}  // namespace strata::storage

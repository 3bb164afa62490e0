// The distribution-spec grammar for repository names, tags and manifest references.
#pragma once

#include "storage/oci/digest.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace strata::storage {

// Longest repository name accepted, as in the distribution registry.
inline constexpr std::size_t max_repository_length = 255;

// True when name matches
//   [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
// and is at most max_repository_length characters long.
bool is_valid_repository(std::string_view name) noexcept;

// True when host is a registry host as image references name it: DNS labels
// ([A-Za-z0-9-]+, not starting or ending with '-') joined by single dots, at most 253
// characters, then optionally ':' and a port of 1 to 5 digits ("ghcr.io", "localhost:5000").
// Never "..", an empty label, a slash or a space: safe as a directory name.
bool is_valid_registry_host(std::string_view host) noexcept;

// True when tag matches [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}.
bool is_valid_tag(std::string_view tag) noexcept;

// A manifest reference: either a tag or a digest.
struct manifest_reference {
    std::variant<std::string, digest> value;

    bool is_digest() const noexcept { return std::holds_alternative<digest>(value); }
    const std::string& tag() const { return std::get<std::string>(value); }
    const digest& by_digest() const { return std::get<digest>(value); }
    // The reference as it appears in a URL.
    const std::string& str() const { return is_digest() ? by_digest().str() : tag(); }

    // Parses a tag or a digest; a string with ':' is treated as a digest.
    static result<manifest_reference> parse(std::string_view text);
};

}  // namespace strata::storage

// json_input: reading input files (plain or gzip) and JSON documents with guards against
// hostile input: size limits, nesting depth, wrong types.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace strata::analytics {

// Deeper nesting is hostile: nlohmann destroys nested values recursively.
inline constexpr int max_json_depth = 64;

// True when brackets nest deeper than max_json_depth outside strings.
bool too_deep(std::string_view text);

// The whole file, gunzipped when it is gzip (plain files read as they are). nullopt when it
// cannot be read, is corrupt, or exceeds max_bytes after decompression.
std::optional<std::string> read_maybe_gzipped(const std::filesystem::path& path,
                                              std::size_t max_bytes = std::size_t{1} << 31);

// Parses a JSON document; a discarded value for malformed or too deeply nested text.
nlohmann::json parse_json_guarded(std::string_view text);

// The string at a path of object keys, or "" when any step is missing or not the right type.
std::string text_at(const nlohmann::json& j, std::initializer_list<const char*> path);

}  // namespace strata::analytics

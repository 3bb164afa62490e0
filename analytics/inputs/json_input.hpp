// json_input: parsing JSON documents from outside with guards against hostile input: nesting
// depth, wrong types. Files are read with input_stream.hpp (size limits, gzip).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace strata::analytics {

// Deeper nesting is hostile: nlohmann destroys nested values recursively.
inline constexpr int max_json_depth = 64;

// True when brackets nest deeper than max_json_depth outside strings.
bool too_deep(std::string_view text);

// Parses a JSON document; a discarded value for malformed or too deeply nested text.
nlohmann::json parse_json_guarded(std::string_view text);

}  // namespace strata::analytics

// json_limits: a linear pre-check of JSON from outside, before a DOM parser allocates for it.
#pragma once

#include <cstddef>
#include <string_view>

namespace strata::storage {

// The deepest nesting strata accepts in a JSON document from an upstream or a client. Real
// manifests, indexes, tag lists and token responses nest fewer than 10 levels.
inline constexpr std::size_t max_json_depth = 64;

// True when no array or object in text nests deeper than max_depth (brackets inside strings,
// escapes included, do not count). Does not validate the JSON otherwise; a DOM parser still
// does that, but after this check it can no longer be made to build a million empty levels.
// Pure, O(n), no allocation.
bool json_nesting_within(std::string_view text, std::size_t max_depth = max_json_depth) noexcept;

}  // namespace strata::storage

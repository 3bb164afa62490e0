// event_labels: the pull event's labels text ("run=r1,strategy=direct") read as pairs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace strata::storage {

// Every key=value pair, the last one winning for a repeated key; a pair without '=' or with an
// empty key is left out. Never throws for any text but std::bad_alloc.
std::map<std::string, std::string> parse_event_labels(std::string_view text);

// The value of one key, when the text has it: find_event_label("a=1,run=r2", "run") is "r2".
std::optional<std::string_view> find_event_label(std::string_view text, std::string_view key) noexcept;

}  // namespace strata::storage

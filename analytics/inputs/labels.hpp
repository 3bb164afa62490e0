// labels: the key=value pairs (cloud, environment, node type, …) that analyses group by.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace strata::analytics {

using label_set = std::map<std::string, std::string>;

// Labels from a path: pattern segments align with the path's last segments, and {name}
// placeholders inside a segment capture text, e.g. "{cloud}/{env}/{node_type}/size{size}/times/*"
// on ".../aws/eks/cpu/size32/times/events-x.json.gz". '*' and each placeholder match any run of
// characters within a segment, the first placeholder the longest run that still lets the
// segment match; time is linear in pattern x path length. nullopt when the path does not match.
// Throws std::invalid_argument for a malformed pattern.
std::optional<label_set> labels_from_path(std::string_view pattern, const std::filesystem::path& path);

}  // namespace strata::analytics

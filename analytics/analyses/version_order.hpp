// version_order: ordering a repository's tags as versions (semver-aware), then by build time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analytics {

// A tag read as a version: "v1.2.3", "1.2", "2.0.0-rc1", "12.4.1-cudnn-devel" (numbers, then a
// pre-release or suffix). nullopt for tags that do not start with a number ("latest", "kokkos").
struct version {
    std::vector<std::uint64_t> numbers;
    std::string suffix;  // after '-', '+' or '_'; a bare release sorts after its pre-releases
};
std::optional<version> parse_version(std::string_view tag);

// Semver-style comparison: numbers left to right (missing counts as 0), then a release after
// any suffixed form of it, then suffixes in natural order (digit runs compared as numbers).
bool version_less(const version& a, const version& b);

struct tag_to_sort {
    std::string tag;
    std::optional<std::int64_t> created_s;
};

// Indices into tags in display order: version-like tags by version (then build time), then the
// others by build time (unknown last), ties by name.
std::vector<std::size_t> version_sorted(const std::vector<tag_to_sort>& tags);

}  // namespace strata::analytics

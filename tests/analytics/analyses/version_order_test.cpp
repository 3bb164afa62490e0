// Tags in version order: semver-aware, pre-releases before releases, then by build time.
#include "analytics/analyses/version_order.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

namespace {
std::vector<std::string> sorted(const std::vector<tag_to_sort>& tags) {
    std::vector<std::string> out;
    for (const auto i : version_sorted(tags)) out.push_back(tags[i].tag);
    return out;
}
}  // namespace

TEST_CASE("versions parse with an optional v, numbers and a suffix") {
    const auto v = parse_version("v1.22.3-rc.1");
    REQUIRE(v);
    CHECK(v->numbers == std::vector<std::uint64_t>{1, 22, 3});
    CHECK(v->suffix == "rc.1");
    CHECK(parse_version("12.4.1-cudnn-devel-ubuntu22.04")->suffix == "cudnn-devel-ubuntu22.04");
    CHECK_FALSE(parse_version("latest"));
    CHECK_FALSE(parse_version("kokkos-reax"));
    CHECK_FALSE(parse_version(""));
    CHECK_FALSE(parse_version("v"));
    CHECK_FALSE(parse_version("1.2x"));
    CHECK_FALSE(parse_version("1234567890123456789012"));  // a hash or a date, not a number
}

TEST_CASE("version order compares numbers numerically and puts pre-releases first") {
    CHECK(sorted({{"v1.10.0", {}}, {"v1.2.0", {}}, {"v1.9.1", {}}, {"v1.2.0-rc1", {}}, {"v1.2", {}}}) ==
          std::vector<std::string>{"v1.2.0-rc1", "v1.2", "v1.2.0", "v1.9.1", "v1.10.0"});
    CHECK(sorted({{"1.0.0-rc10", {}}, {"1.0.0-rc2", {}}, {"1.0.0-beta", {}}}) ==
          std::vector<std::string>{"1.0.0-beta", "1.0.0-rc2", "1.0.0-rc10"});
}

TEST_CASE("tags that are not versions follow, by build time, unknown times last") {
    CHECK(sorted({{"latest", 300}, {"2.0", 100}, {"nightly", 200}, {"dev", {}}, {"1.0", 400}, {"alpha", 200}}) ==
          std::vector<std::string>{"1.0", "2.0", "alpha", "nightly", "latest", "dev"});
}

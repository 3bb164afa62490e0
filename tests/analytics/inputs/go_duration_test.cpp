// Known answers for Go duration text, including the forms kubelet prints, and what is refused.
#include "analytics/inputs/go_duration.hpp"

#include <catch2/catch.hpp>

using strata::analytics::parse_go_duration_seconds;

TEST_CASE("Go durations in every unit and combination") {
    const std::vector<std::pair<const char*, double>> cases = {
        {"0", 0.0},          {"0s", 0.0},          {"850ms", 0.85},        {"1.062578128s", 1.062578128},
        {"1m2.5s", 62.5},    {"1h2m3s", 3723.0},   {"3ns", 3e-9},          {"12us", 12e-6},
        {"12\xC2\xB5s", 12e-6}, {"12\xCE\xBCs", 12e-6}, {"-1.5s", -1.5},    {"+2h", 7200.0},
        {"1h0m0.001s", 3600.001}, {"2m", 120.0},  {".5s", 0.5},
    };
    for (const auto& [text, seconds] : cases) {
        INFO(text);
        const auto parsed = parse_go_duration_seconds(text);
        REQUIRE(parsed);
        CHECK(*parsed == Approx(seconds).epsilon(1e-12));
    }
}

TEST_CASE("malformed durations are refused") {
    for (const char* bad : {"", "-", "5", "1.2", "s", "1x", "1 s", "1s ", "ms", "1..2s", ".s", "1h-2m", "1e3s", "NaNs"}) {
        INFO(bad);
        CHECK_FALSE(parse_go_duration_seconds(bad));
    }
}

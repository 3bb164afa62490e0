// Tests of label patterns matched against paths.
#include "analytics/inputs/labels.hpp"

#include <catch2/catch.hpp>

using strata::analytics::label_set;
using strata::analytics::labels_from_path;

TEST_CASE("labels: the first placeholder takes the longest run, as a greedy match would") {
    CHECK(*labels_from_path("{a}-{b}", "x-y-z") == label_set{{"a", "x-y"}, {"b", "z"}});
    CHECK(*labels_from_path("{a}{b}", "abc") == label_set{{"a", "abc"}, {"b", ""}});
    CHECK(*labels_from_path("*{a}.json*", "events.json.json.gz") == label_set{{"a", ""}});
    CHECK(*labels_from_path("e{a}.{b}", "events.json.gz") == label_set{{"a", "vents.json"}, {"b", "gz"}});
    CHECK_FALSE(labels_from_path("{a}x{b}y", "axbxc"));
    CHECK(labels_from_path("*", "anything")->empty());
}

// Found by fuzz_labels: std::regex backtracked through every split of the segment between the
// placeholders, so a short pattern with many of them against a 200-character name that does not
// match ran for longer than the fuzzer's 10 s timeout (and this test would never finish).
TEST_CASE("labels: many placeholders against a long segment that does not match") {
    std::string pattern;
    for (int i = 0; i < 24; ++i) pattern += "{p" + std::to_string(i) + "}*";
    CHECK_FALSE(labels_from_path(pattern + "!", "dir/" + std::string(200, '*')));
    const auto labels = labels_from_path(pattern + "*", "dir/" + std::string(200, '*'));
    REQUIRE(labels);
    CHECK(labels->at("p0") == std::string(200, '*'));
    CHECK(labels->at("p23").empty());
}

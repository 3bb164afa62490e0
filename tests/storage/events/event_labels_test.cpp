// Tests of reading a pull event's labels: pairs, lookups, and text that is not well formed.
#include "storage/events/event_labels.hpp"

#include <catch2/catch.hpp>

using namespace strata::storage;

TEST_CASE("labels read as key=value pairs, the last of a repeated key winning", "[events][labels]") {
    const auto labels = parse_event_labels("run=r1,strategy=proxy-cold,nodes=8,run=r2");
    CHECK(labels == std::map<std::string, std::string>{{"run", "r2"}, {"strategy", "proxy-cold"}, {"nodes", "8"}});
    CHECK(parse_event_labels("").empty());
}

TEST_CASE("labels text that is not well formed keeps only whole pairs", "[events][labels]") {
    const auto labels = parse_event_labels(",,=x,novalue,empty=,a=b=c,\x01=\x02,");
    CHECK(labels == std::map<std::string, std::string>{{"empty", ""}, {"a", "b=c"}, {"\x01", "\x02"}});
}

TEST_CASE("one label is found by its whole key, never by a key it ends or starts", "[events][labels]") {
    CHECK(find_event_label("xrun=no,run=r1", "run") == "r1");
    CHECK(find_event_label("running=no", "run") == std::nullopt);
    CHECK(find_event_label("strategy=direct", "run") == std::nullopt);
    CHECK(find_event_label("source=proxy,source=upstream", "source") == "upstream");
    CHECK(find_event_label("run", "run") == std::nullopt);
    CHECK(find_event_label("run=", "run") == "");
}

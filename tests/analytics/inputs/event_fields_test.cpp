// The SAX field picker: the right fields at the right depth, and hostile lines refused.
#include "analytics/inputs/event_fields.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

TEST_CASE("event fields are taken at their own paths only") {
    const auto e = read_event_fields(
        R"({"metadata":{"name":"x","uid":"meta-uid","labels":{"uid":"nested"}},"reason":"Pulled",)"
        R"("involvedObject":{"uid":"object-uid","namespace":"ns","name":"pod","fieldPath":"spec.containers{c}"},)"
        R"("message":"m","source":{"host":"node-1"},"related":[{"reason":"inner"}],"lastTimestamp":"t1",)"
        R"("reportingInstance":"ri","count":3,"firstTimestamp":null})");
    REQUIRE(e);
    CHECK(e->uid == "meta-uid");
    CHECK(e->reason == "Pulled");
    CHECK(e->object_namespace == "ns");
    CHECK(e->object_name == "pod");
    CHECK(e->field_path == "spec.containers{c}");
    CHECK(e->source_host == "node-1");
    CHECK(e->reporting_instance == "ri");
    CHECK(e->last_timestamp == "t1");
    CHECK(e->first_timestamp.empty());
    CHECK(e->message == "m");
}

TEST_CASE("wrong types read as empty; non-objects and broken text are refused") {
    const auto e = read_event_fields(R"({"reason":5,"metadata":{"uid":["a"]},"message":{"text":"x"}})");
    REQUIRE(e);
    CHECK(e->reason.empty());
    CHECK(e->uid.empty());
    CHECK(e->message.empty());
    CHECK_FALSE(read_event_fields("[1,2]"));
    CHECK_FALSE(read_event_fields("\"reason\""));
    CHECK_FALSE(read_event_fields(R"({"reason":"Pulled")"));
    CHECK_FALSE(read_event_fields("error: http2: client connection lost"));
    CHECK_FALSE(read_event_fields(R"({"a":1} trailing)"));
    // Deep nesting is parsed iteratively: no stack to exhaust, no document to destroy.
    const auto deep = "{\"x\":" + std::string(200000, '[') + std::string(200000, ']') + ",\"reason\":\"Pulled\"}";
    const auto d = read_event_fields(deep);
    REQUIRE(d);
    CHECK(d->reason == "Pulled");
}

// The event field reader: the right fields at the right depth, hostile lines refused, and the
// same answers as the SAX reference on every line of the study's logs and the fixtures.
#include "analytics/inputs/event_fields.hpp"

#include "analytics/inputs/line_reader.hpp"
#include "tests/analytics/inputs/reference_event_fields.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace strata::analytics;
namespace fs = std::filesystem;

namespace {

bool same(const event_fields& a, const event_fields& b) {
    return a.reason == b.reason && a.message == b.message && a.uid == b.uid && a.object_namespace == b.object_namespace &&
           a.object_name == b.object_name && a.field_path == b.field_path && a.source_host == b.source_host &&
           a.reporting_instance == b.reporting_instance && a.last_timestamp == b.last_timestamp &&
           a.event_time == b.event_time && a.first_timestamp == b.first_timestamp;
}

// Lines compared, and those where the two readers disagree.
std::pair<std::size_t, std::size_t> compare_lines(const fs::path& root) {
    std::size_t lines = 0, differing = 0;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_regular_file()) continue;
        line_reader reader(e.path(), std::size_t{16} << 20);
        while (const auto line = reader.next()) {
            ++lines;
            const auto fast = read_event_fields(line->text);
            const auto reference = strata::test::reference_event_fields(line->text);
            if (fast.has_value() != reference.has_value() || (fast && !same(*fast, *reference))) ++differing;
        }
    }
    return {lines, differing};
}

}  // namespace

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
    // Nesting costs no stack: 1,000 levels are read, 200,000 refused cleanly (past 1,024).
    const auto nested = [](std::size_t n) {
        return "{\"x\":" + std::string(n, '[') + std::string(n, ']') + ",\"reason\":\"Pulled\"}";
    };
    REQUIRE(read_event_fields(nested(1000)));
    CHECK(read_event_fields(nested(1000))->reason == "Pulled");
    CHECK_FALSE(read_event_fields(nested(200000)));
    CHECK_FALSE(read_event_fields(R"({"reason":"Pulled","bad":"\xff"})" + std::string("\xff")));
}

TEST_CASE("duplicate keys: the last one wins, as it did with the SAX reader") {
    const auto e = read_event_fields(R"({"reason":"Pulling","reason":"Pulled","metadata":{"uid":"a","uid":"b"}})");
    REQUIRE(e);
    CHECK(e->reason == "Pulled");
    CHECK(e->uid == "b");
}

TEST_CASE("the simdjson reader and the SAX reference agree on every line of the fixtures and the study") {
    const auto [lines, differing] = compare_lines(fs::path(STRATA_SOURCE_DIR) / "tests" / "fixtures" / "k8s-events");
    CHECK(lines > 100);
    CHECK(differing == 0);
    const auto study = fs::path(STRATA_SOURCE_DIR) / ".." / "shared" / "data" / "k8s-events";
    if (!fs::is_directory(study)) {
        WARN("../shared/data/k8s-events not found: the study's logs were not compared");
        return;
    }
    const auto [study_lines, study_differing] = compare_lines(study);
    CHECK(study_lines == 91675);
    CHECK(study_differing == 0);
}

TEST_CASE("an EventList is read item by item") {
    std::vector<std::string> reasons;
    std::size_t not_objects = 0;
    const auto n = read_event_list(R"({"kind":"EventList","items":[{"reason":"Pulled"},3,{"reason":"Pulling"}]})",
                                   [&](const std::optional<event_fields>& e) {
                                       if (e) reasons.push_back(e->reason);
                                       else ++not_objects;
                                   });
    CHECK(n == 3);
    CHECK(reasons == std::vector<std::string>{"Pulled", "Pulling"});
    CHECK(not_objects == 1);
    const auto ignore = [](const std::optional<event_fields>&) {};
    CHECK_FALSE(read_event_list(R"({"items":{}})", ignore));
    CHECK_FALSE(read_event_list(R"([{"reason":"Pulled"}])", ignore));
    CHECK_FALSE(read_event_list(R"({"items":[)", ignore));
}

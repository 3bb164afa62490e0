// Tests of reading imported pull events: a round trip of what the export writes, and each refusal naming its line.
#include "proxy/admin/event_lines.hpp"

#include "tests/sample_event.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace strata::proxy;
using strata::storage::pull_event;

namespace {

pull_event bench_event(std::int64_t ts) {
    auto e = strata::test::sample_event(ts, "node-3");
    e.user_agent = "strata-bench";
    e.labels = "run=r1,strategy=direct,nodes=8";
    return e;
}

// The refusal of a body, which must be one.
import_error refusal_of(std::string_view body, std::int64_t oldest_ns = 0, std::int64_t newest_ns = INT64_MAX) {
    auto read = read_event_lines(body, oldest_ns, newest_ns);
    REQUIRE(std::holds_alternative<import_error>(read));
    return std::get<import_error>(read);
}

}  // namespace

TEST_CASE("events read back from the export's JSON lines are the events written") {
    const auto a = bench_event(1'800'000'000'000'000'000);
    auto b = bench_event(1'800'000'000'000'000'001);
    b.kind = "trial";
    b.labels = "run=r1";
    const auto body = to_json_line(a) + "\r\n\n  \n" + to_json_line(b);
    auto read = read_event_lines(body);
    REQUIRE(std::holds_alternative<std::vector<pull_event>>(read));
    const auto& events = std::get<std::vector<pull_event>>(read);
    REQUIRE(events.size() == 2);
    CHECK(events[0] == a);
    CHECK(events[1] == b);
}

TEST_CASE("an export of hostile text reads back: what is not UTF-8 came out as U+FFFD") {
    auto e = bench_event(1'800'000'000'000'000'000);
    e.user_agent = std::string("ua\xc0\x80|\xed\xa0\x80|\xf5\x80\x80\x80|\xff|") + '\0' + "|\xc3\xa9";
    e.node = "\xf4\x90\x80\x80";
    auto read = read_event_lines(strata::storage::to_json_line(e));
    REQUIRE(std::holds_alternative<std::vector<pull_event>>(read));
    const auto& back = std::get<std::vector<pull_event>>(read).at(0);
    const std::string fffd = "\xEF\xBF\xBD";
    CHECK(back.user_agent == "ua" + fffd + fffd + "|" + fffd + fffd + fffd + "|" + fffd + fffd + fffd + fffd + "|" + fffd +
                                 "|" + std::string(1, '\0') + "|\xc3\xa9");
    CHECK(back.node == fffd + fffd + fffd + fffd);
    auto again = read_event_lines(strata::storage::to_json_line(back));
    REQUIRE(std::holds_alternative<std::vector<pull_event>>(again));
    CHECK(std::get<std::vector<pull_event>>(again).at(0) == back);
}

TEST_CASE("a bad line refuses the whole import and is named") {
    const auto good = to_json_line(bench_event(1'800'000'000'000'000'000)) + "\n";
    const auto line2 = [&](const std::string& bad) { return refusal_of(good + bad + "\n" + good); };
    const auto check = [&](const std::string& bad, const std::string& why) {
        const auto e = line2(bad);
        CHECK(e.line == 2);
        CHECK(e.message == why);
    };
    const std::string not_json = "not JSON (malformed, nested too deeply, or text that is not UTF-8)";
    check("{\"ts_ns\":1,", not_json);
    check("[1,2]", "not a JSON object");
    check("{\"ts_ns\":\"1\",\"kind\":\"blob\",\"labels\":\"run=r\"}", "'ts_ns' must be a whole number of nanoseconds, 0 or more");
    check("{\"ts_ns\":1,\"kind\":\"blob\",\"labels\":\"run=r\",\"duration_ns\":-5}",
          "'duration_ns' must be a whole number of nanoseconds, 0 or more");
    check("{\"ts_ns\":1,\"kind\":\"blob\",\"labels\":\"run=r\",\"bytes_sent\":1.5}", "'bytes_sent' must be a whole number of bytes, 0 or more");
    check("{\"ts_ns\":9223372036854775808,\"kind\":\"blob\",\"labels\":\"run=r\"}",
          "'ts_ns' must be a whole number of nanoseconds, 0 or more");
    check("{\"ts_ns\":1,\"kind\":\"blob\",\"labels\":\"run=r\",\"http_status\":1000}", "'http_status' must be a status code from 0 to 999");
    check("{\"ts_ns\":1,\"kind\":7,\"labels\":\"run=r\"}", "'kind' must be a string");
    check("{\"ts_ns\":1,\"kind\":\"blob\",\"labels\":\"run=r\",\"nodes\":3}", "unknown field \"nodes\"");
    check("{\"ts_ns\":1,\"kind\":\"blob\",\"labels\":\"run=r\",\"a\\u001b[31m\":3}", "unknown field \"a\\x1b[31m\"");
    check("{\"kind\":\"blob\",\"labels\":\"run=r\"}", "'ts_ns' is missing");
    check("{\"ts_ns\":1,\"labels\":\"run=r\"}", "'kind' is missing");
    check("{\"ts_ns\":1,\"kind\":\"blob\"}", "'labels' must name a run (run=…): strata records what it serves itself");
    check("{\"ts_ns\":1,\"kind\":\"blob\",\"labels\":\"strategy=direct,run=\"}",
          "'labels' must name a run (run=…): strata records what it serves itself");
    check("{\"ts_ns\":1,\"kind\":\"blob\",\"labels\":\"run=r\",\"node\":\"" + std::string(events_import_max_text + 1, 'n') + "\"}",
          "'node' is longer than 16384 bytes");
    check("{\"ts_ns\":1,\"kind\":\"blob\",\"labels\":\"run=r\",\"node\":\"\xff\"}", not_json);
    check(std::string(100, '[') + std::string(100, ']'), not_json);
}

TEST_CASE("an import is refused whole when it is empty, too large or older than the log keeps") {
    CHECK(refusal_of("").message == "no events: send JSON lines as GET /api/v1/events?format=jsonl writes them");
    CHECK(refusal_of("\n \n").line == 0);
    CHECK(refusal_of(std::string(events_import_max_bytes + 1, '\n')).message == "more than 8 MiB of events");
    const auto old = refusal_of(to_json_line(bench_event(1000)), 2000);
    CHECK(old.line == 1);
    CHECK(old.message == "'ts_ns' is older than this strata keeps events (events.retention_hours)");
    const auto ahead = refusal_of(to_json_line(bench_event(1000)) + "\n" + to_json_line(bench_event(3000)), 0, 2000);
    CHECK(ahead.line == 2);
    CHECK(ahead.message == "'ts_ns' is in the future");
    std::string many;
    for (std::size_t i = 0; i <= events_import_max_events; ++i) many += "{\"ts_ns\":5,\"kind\":\"blob\",\"labels\":\"run=r\"}\n";
    const auto too_many = refusal_of(many);
    CHECK(too_many.line == events_import_max_events + 1);
    CHECK(too_many.message == "more than 16384 events in one import");
    CHECK(std::holds_alternative<std::vector<pull_event>>(read_event_lines(many.substr(many.find('\n') + 1))));
}

// Tests of the JSON log line: always one valid JSON object, whatever bytes the message holds; its text kept.
#include "proxy/observe/log_format.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using strata::proxy::json_log_line;

TEST_CASE("a JSON log line parses back to its fields, hostile bytes escaped") {
    const std::string printable = "repo=\"a\\b\"\r\n{\"level\":\"critical\"}";
    const std::string hostile = printable + std::string("\x01\x7f", 2) + std::string("\xff\xc3\xa9", 3);
    for (const std::string& message : {std::string("strata listening address=127.0.0.1:5000"), hostile, std::string()}) {
        const auto line = json_log_line("2026-11-27T03:21:30.123Z", "info", message);
        INFO(line);
        CHECK(line.find('\n') == std::string::npos);
        const auto parsed = nlohmann::json::parse(line);
        CHECK(parsed.size() == 3);
        CHECK(parsed["time"] == "2026-11-27T03:21:30.123Z");
        CHECK(parsed["level"] == "info");
        if (message != hostile) CHECK(parsed["message"] == message);
    }
    const auto parsed = nlohmann::json::parse(json_log_line("t", "warning", hostile));
    const std::string back = parsed["message"];
    // Text comes back as it was, UTF-8 included; a byte that is not UTF-8 as U+FFFD.
    CHECK(back == printable + std::string("\x01\x7f", 2) + "\xef\xbf\xbd\xc3\xa9");
}

TEST_CASE("a JSON log line keeps UTF-8 text and escapes every control character") {
    const auto line = json_log_line("t", "info", "caf\xc3\xa9 \xe2\x82\xac \xc2\x9b" "31m \xc2\xa0 \x1b[2J \xed\xa0\x80");
    CHECK(line == "{\"time\":\"t\",\"level\":\"info\",\"message\":"
                  "\"caf\xc3\xa9 \xe2\x82\xac \\u009b31m \xc2\xa0 \\u001b[2J \\ufffd\\ufffd\\ufffd\"}");
}

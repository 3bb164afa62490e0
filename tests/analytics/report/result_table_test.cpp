// Table rendering: CSV quoting, raw numbers in CSV and JSON, human units in text and HTML.
#include "analytics/report/result_table.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;

TEST_CASE("tables render as CSV, JSON, text and escaped HTML") {
    result_table t{"T", {{"name"}, {"bytes", unit::bytes}, {"share", unit::ratio}}, {}};
    t.add_row({std::string("a,\"b\""), 6000000000.0, 0.25});
    t.add_row({std::string("<script>"), 17.0, 1.0 / 3});
    CHECK(render_csv(t) == "name,bytes,share\n\"a,\"\"b\"\"\",6000000000,0.25\n<script>,17,0.33333333333333331\n");
    const auto j = render_json(t);
    CHECK(j[0]["bytes"] == 6000000000ull);
    CHECK(j[1]["name"] == "<script>");
    const auto text = render_text(t);
    CHECK(text.find("6.0 GB") != std::string::npos);
    CHECK(text.find("0.3333") != std::string::npos);
    const auto html = render_html(t);
    CHECK(html.find("<script>") == std::string::npos);
    CHECK(html.find("&lt;script&gt;") != std::string::npos);
    CHECK(human_bytes(999) == "999 B");
    CHECK(human_bytes(1500000) == "1.5 MB");
}

TEST_CASE("CSV neutralises formulas in text cells and keeps negative numbers as numbers") {
    result_table t{"T", {{"repository"}, {"delta", unit::seconds}}, {}};
    t.add_row({std::string("=HYPERLINK(\"http://evil.example\",\"x\")"), -1.0});
    t.add_row({std::string("-5"), -5.0});
    t.add_row({std::string("@ref"), 1.5e3});
    CHECK(render_csv(t) ==
          "repository,delta\n\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",-1\n-5,-5\n'@ref,1500\n");
}

TEST_CASE("text output shows control characters from outside text as escapes") {
    result_table t{"", {{"command"}}, {}};
    t.add_row({std::string("a\nb\x1b[31m\x7f\xc2\x9b" "c\xc3\xa9")});
    const auto text = render_text(t);
    CHECK(text.substr(text.find('\n') + 1) == "a\\x0ab\\x1b[31m\\x7f\\x9bcé\n");
}

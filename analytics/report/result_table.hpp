// result_table: one table of analysis results, printed as aligned text, CSV or JSON rows.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace strata::analytics {

enum class unit { text, count, bytes, seconds, ratio, money };

struct column {
    std::string name;
    unit kind = unit::text;
};

using cell = std::variant<std::string, double>;

struct result_table {
    std::string title;
    std::vector<column> columns;
    std::vector<std::vector<cell>> rows;

    void add_row(std::vector<cell> row) { rows.push_back(std::move(row)); }
};

// Aligned columns with human units (sizes in MB/GB, seconds with two decimals), under the title.
// Control characters in text cells (a newline in a command, an escape sequence) print as \xNN.
std::string render_text(const result_table& table);
// RFC 4180: a header row, then raw values (bytes as integers, full precision). Text cells and
// column names go through storage::csv_cell (a text cell starting with = + - @ gets a leading ');
// number cells are written as numbers, negative ones included.
std::string render_csv(const result_table& table);
// An array of objects keyed by column name, numbers as numbers.
nlohmann::json render_json(const result_table& table);

// An HTML <table> with human units and escaped text, under an <h3> title.
// The first `shown` rows as a table; the rest, up to max_rows, folded in a <details> below it.
std::string render_html(const result_table& table, std::size_t shown = 15, std::size_t max_rows = 400);

// Text made safe inside HTML or SVG elements and attribute values.
std::string xml_escape(std::string_view text);

// "1.5 GB", "340 MB", "12 kB", "17 B" (decimal units, as registries report sizes).
std::string human_bytes(double bytes);

}  // namespace strata::analytics

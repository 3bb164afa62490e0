// result_table: the three renderings of a table.
#include "analytics/report/result_table.hpp"

#include "storage/untrusted/text_escape.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace strata::analytics {
namespace {

std::string number_text(double v, unit kind, bool human) {
    char buf[64];
    if (kind == unit::bytes && human) return human_bytes(v);
    if (kind == unit::count || kind == unit::bytes || (v == std::floor(v) && std::fabs(v) < 1e15 && kind == unit::text))
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (!human)
        std::snprintf(buf, sizeof buf, "%.17g", v);
    else if (kind == unit::ratio)
        std::snprintf(buf, sizeof buf, "%.4f", v);
    else
        std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string cell_text(const cell& c, unit kind, bool human) {
    if (const auto* s = std::get_if<std::string>(&c)) return *s;
    return number_text(std::get<double>(c), kind, human);
}

// Control characters (C0, DEL, and C1 as UTF-8) as \xNN: outside text in a table must not
// move a terminal's cursor, change its colours or break the table's lines.
std::string terminal_text(std::string text) {
    const auto needs = [](unsigned char c, unsigned char next) { return c < 0x20 || c == 0x7f || (c == 0xc2 && next >= 0x80 && next <= 0x9f); };
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
        if (!needs(c, next)) {
            out.push_back(text[i]);
            continue;
        }
        const unsigned code = c == 0xc2 ? next : c;
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", code);
        out += buf;
        if (c == 0xc2) ++i;
    }
    return out;
}

// Text cells go through csv_cell (quoted, formulas neutralised); numbers are the code's own.
std::string csv_text(const cell& c, unit kind) {
    if (const auto* s = std::get_if<std::string>(&c)) return storage::csv_cell(*s);
    return number_text(std::get<double>(c), kind, false);
}

}  // namespace

std::string xml_escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string human_bytes(double bytes) {
    static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    std::size_t u = 0;
    while (std::fabs(bytes) >= 1000 && u + 1 < std::size(units)) bytes /= 1000, ++u;
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
    return buf;
}

std::string render_text(const result_table& t) {
    std::vector<std::vector<std::string>> cells;
    std::vector<std::size_t> width;
    for (const auto& c : t.columns) width.push_back(c.name.size());
    for (const auto& row : t.rows) {
        auto& texts = cells.emplace_back();
        for (std::size_t i = 0; i < row.size() && i < t.columns.size(); ++i) {
            texts.push_back(terminal_text(cell_text(row[i], t.columns[i].kind, true)));
            width[i] = std::max(width[i], std::min<std::size_t>(texts.back().size(), 80));
        }
    }
    std::string out = t.title.empty() ? "" : t.title + "\n";
    const auto line = [&](const std::vector<std::string>& texts, const std::vector<column>& cols) {
        for (std::size_t i = 0; i < texts.size(); ++i) {
            auto text = texts[i].size() > 80 ? texts[i].substr(0, 77) + "..." : texts[i];
            const auto pad = std::string(width[i] - std::min(width[i], text.size()), ' ');
            out += i ? "  " : "";
            out += cols[i].kind == unit::text ? text + pad : pad + text;
        }
        out += '\n';
    };
    std::vector<std::string> header;
    for (const auto& c : t.columns) header.push_back(c.name);
    line(header, t.columns);
    for (const auto& texts : cells) line(texts, t.columns);
    return out;
}

std::string render_csv(const result_table& t) {
    std::string out;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        if (i) out += ',';
        out += storage::csv_cell(t.columns[i].name);
    }
    out += '\n';
    for (const auto& row : t.rows) {
        for (std::size_t i = 0; i < row.size() && i < t.columns.size(); ++i) {
            if (i) out += ',';
            out += csv_text(row[i], t.columns[i].kind);
        }
        out += '\n';
    }
    return out;
}

namespace {

std::string html_rows(const result_table& t, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t r = from; r < t.rows.size() && r < to; ++r) {
        out += "<tr>";
        for (std::size_t i = 0; i < t.rows[r].size() && i < t.columns.size(); ++i)
            out += std::string(t.columns[i].kind == unit::text ? "<td>" : "<td class=\"n\">") +
                   xml_escape(cell_text(t.rows[r][i], t.columns[i].kind, true)) + "</td>";
        out += "</tr>\n";
    }
    return out;
}

std::string html_table(const result_table& t, std::size_t from, std::size_t to) {
    std::string out = "<table><thead><tr>";
    for (const auto& c : t.columns) out += std::string(c.kind == unit::text ? "<th>" : "<th class=\"n\">") + xml_escape(c.name) + "</th>";
    return out + "</tr></thead><tbody>\n" + html_rows(t, from, to) + "</tbody></table>\n";
}

}  // namespace

std::string render_html(const result_table& t, std::size_t shown, std::size_t max_rows) {
    std::string out = t.title.empty() ? "" : "<h3>" + xml_escape(t.title) + "</h3>\n";
    shown = std::min(shown, max_rows);
    out += html_table(t, 0, shown);
    const auto end = std::min(t.rows.size(), max_rows);
    if (end > shown)
        out += "<details><summary>" + std::to_string(end - shown) + " more rows</summary>\n" + html_table(t, shown, end) +
               "</details>\n";
    if (t.rows.size() > max_rows)
        out += "<p class=\"note\">" + std::to_string(t.rows.size() - max_rows) + " more rows in the JSON and CSV outputs.</p>\n";
    return out;
}

nlohmann::json render_json(const result_table& t) {
    auto rows = nlohmann::json::array();
    for (const auto& row : t.rows) {
        nlohmann::json obj = nlohmann::json::object();
        for (std::size_t i = 0; i < row.size() && i < t.columns.size(); ++i) {
            if (const auto* s = std::get_if<std::string>(&row[i])) obj[t.columns[i].name] = *s;
            else if (t.columns[i].kind == unit::count || t.columns[i].kind == unit::bytes)
                obj[t.columns[i].name] = static_cast<std::uint64_t>(std::llround(std::max(0.0, std::get<double>(row[i]))));
            else obj[t.columns[i].name] = std::get<double>(row[i]);
        }
        rows.push_back(std::move(obj));
    }
    return rows;
}

}  // namespace strata::analytics

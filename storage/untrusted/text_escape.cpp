// text_escape: log values (quoted, control characters and invalid UTF-8 as \xNN), JSON string
// text (\uXXXX, invalid UTF-8 as U+FFFD) and CSV cells (RFC 4180 quoting, formulas neutralised).
#include "storage/untrusted/text_escape.hpp"

namespace strata::storage {
namespace {

bool in(unsigned char c, unsigned char lo, unsigned char hi) { return c >= lo && c <= hi; }

void append_hex(std::string& out, unsigned char c) {
    static constexpr char hex[] = "0123456789abcdef";
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 15];
}

// True for "-5", "+1.5e3", ".5", "3.": text a spreadsheet reads as a number, never a formula.
bool is_plain_number(std::string_view s) {
    std::size_t i = 0;
    const auto digits = [&] {
        const auto start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        return i - start;
    };
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    auto mantissa = digits();
    if (i < s.size() && s[i] == '.') ++i, mantissa += digits();
    if (mantissa == 0) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (digits() == 0) return false;
    }
    return i == s.size();
}

bool starts_formula(std::string_view s) {
    if (s.empty()) return false;
    const char c = s.front();
    return (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') && !is_plain_number(s);
}

}  // namespace

std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto at = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
    const unsigned char c = at(0);
    const auto tail = [&](std::size_t k) { return in(at(k), 0x80, 0xbf); };
    if (i >= s.size()) return 0;
    if (c < 0x80) return 1;
    if (in(c, 0xc2, 0xdf)) return tail(1) ? 2 : 0;
    if (in(c, 0xe0, 0xef)) {
        const bool second = c == 0xe0 ? in(at(1), 0xa0, 0xbf) : c == 0xed ? in(at(1), 0x80, 0x9f) : tail(1);
        return second && tail(2) ? 3 : 0;
    }
    if (in(c, 0xf0, 0xf4)) {
        const bool second = c == 0xf0 ? in(at(1), 0x90, 0xbf) : c == 0xf4 ? in(at(1), 0x80, 0x8f) : tail(1);
        return second && tail(2) && tail(3) ? 4 : 0;
    }
    return 0;
}

namespace {

// The code point of a well-formed sequence of at most three bytes.
unsigned code_point(std::string_view seq) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(seq[k])); };
    if (seq.size() == 1) return b(0);
    if (seq.size() == 2) return (b(0) & 0x1f) << 6 | (b(1) & 0x3f);
    return (b(0) & 0x0f) << 12 | (b(1) & 0x3f) << 6 | (b(2) & 0x3f);
}

bool is_control(unsigned cp) {
    return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

// The length of the sequence at text[i] when it may be copied as it is (valid UTF-8, not a
// control character), else 0.
std::size_t plain_length(std::string_view text, std::size_t i) {
    const auto n = utf8_length(text, i);
    return n == 0 || n == 4 || !is_control(code_point(text.substr(i, n))) ? n : 0;
}

}  // namespace

std::string log_value(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    append_log_value(out, text);
    return out;
}

void append_log_value(std::string& out, std::string_view text) {
    out += '"';
    for (std::size_t i = 0; i < text.size(); ++i) {
        // Printable ASCII other than '"' and '\\' passes as it is: copied a run at a time.
        std::size_t run = i;
        while (run < text.size() && text[run] >= 0x20 && text[run] < 0x7f && text[run] != '"' && text[run] != '\\') ++run;
        if (run > i) {
            out.append(text.substr(i, run - i));
            i = run;
            if (i == text.size()) break;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') out.append(1, '\\').append(1, static_cast<char>(c));
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (const auto n = plain_length(text, i); n == 0) append_hex(out, c);  // a control's bytes one by one
        else out.append(text.substr(i, n)), i += n - 1;
    }
    out += '"';
}

void append_json_text(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    const auto escape = [&out](unsigned cp) {
        out += "\\u";
        for (int shift = 12; shift >= 0; shift -= 4) out += hex[cp >> shift & 15];
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const auto n = utf8_length(text, i);
        if (c == '"' || c == '\\') out.append(1, '\\').append(1, static_cast<char>(c));
        else if (n == 0) escape(0xfffd);
        else if (n < 4 && is_control(code_point(text.substr(i, n)))) escape(code_point(text.substr(i, n))), i += n - 1;
        else out.append(text.substr(i, n)), i += n - 1;
    }
}

std::string csv_cell(std::string_view text) {
    std::string cell = starts_formula(text) ? "'" : "";
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\t' || c == '\r' || c == '\n') cell += static_cast<char>(c);
        else if (const auto n = plain_length(text, i); n == 0) append_hex(cell, c);
        else cell.append(text.substr(i, n)), i += n - 1;
    }
    if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
    std::string out = "\"";
    for (const char c : cell) out.append(c == '"' ? 2 : 1, c);
    return out + '"';
}

std::string printable(std::string_view text) {
    auto quoted = log_value(text);
    return quoted.substr(1, quoted.size() - 2);
}

}  // namespace strata::storage

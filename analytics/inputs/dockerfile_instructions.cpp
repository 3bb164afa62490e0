// dockerfile_instructions: a line cursor and the rules for directives, continuations and heredocs.
#include "analytics/inputs/dockerfile_instructions.hpp"

#include "analytics/inputs/dockerfile_text.hpp"

namespace strata::analytics {
namespace {

using namespace dockerfile_chars;

std::string_view trim_left(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    return s;
}

std::string_view trim_right(std::string_view s) {
    while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::string_view trim(std::string_view s) { return trim_right(trim_left(s)); }

bool is_comment(std::string_view line) {
    const auto t = trim_left(line);
    return !t.empty() && t.front() == '#';
}

bool is_skippable(std::string_view line) { return is_comment(line) || trim(line).empty(); }

class line_cursor {
public:
    explicit line_cursor(std::string_view text) : text_(text) {}

    bool next(std::string_view& line) {
        if (pos_ >= text_.size()) return false;
        auto end = text_.find('\n', pos_);
        if (end == std::string_view::npos) end = text_.size();
        line = text_.substr(pos_, end - pos_);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos_ = end + 1;
        ++number_;
        return true;
    }

    std::size_t number() const { return number_; }

private:
    std::string_view text_;
    std::size_t pos_ = 0, number_ = 0;
};

// A directive line (`# key=value` with a key BuildKit knows) sets the escape character; any other
// line ends the directives. Returns true when the line was a directive.
bool read_directive(std::string_view line, char& escape) {
    auto t = trim_left(line);
    if (t.empty() || t.front() != '#') return false;
    t = trim(t.substr(1));
    const auto eq = t.find('=');
    if (eq == std::string_view::npos) return false;
    const auto key = lower(trim(t.substr(0, eq)));
    const auto value = trim(t.substr(eq + 1));
    if (key == "escape") {
        if (value == "`" || value == "\\") escape = value.front();
        return true;
    }
    return key == "syntax" || key == "check";
}

// Strips a trailing escape character (a continuation); returns whether there was one.
bool strip_continuation(std::string_view& line, char escape) {
    const auto t = trim_right(line);
    if (t.empty() || t.back() != escape) return false;
    line = t.substr(0, t.size() - 1);
    return true;
}

bool is_heredoc_word_char(char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; }

struct heredoc_marker {
    std::string word;
    bool strip_tabs = false;
};

// `[n]<<[-]WORD`, with WORD optionally quoted; WORD ends at the first character that cannot be
// in a name (so `<<EOF>file` names EOF). `<<<` is a here-string, not a heredoc.
bool parse_heredoc_marker(std::string_view w, heredoc_marker& m) {
    while (!w.empty() && is_digit(w.front())) w.remove_prefix(1);
    if (!w.starts_with("<<") || w.starts_with("<<<")) return false;
    w.remove_prefix(2);
    m.strip_tabs = w.starts_with('-');
    if (m.strip_tabs) w.remove_prefix(1);
    if (!w.empty() && (w.front() == '"' || w.front() == '\'')) w.remove_prefix(1);
    std::size_t n = 0;
    while (n < w.size() && is_heredoc_word_char(w[n])) ++n;
    m.word = std::string(w.substr(0, n));
    return !m.word.empty();
}

std::vector<heredoc_marker> heredoc_markers(const dockerfile_instruction& ins) {
    std::vector<heredoc_marker> out;
    if (ins.keyword != "RUN" && ins.keyword != "COPY" && ins.keyword != "ADD") return out;
    const std::string_view args = ins.arguments;
    if (trim_left(args).starts_with('[')) return out;  // exec form has no heredocs
    std::size_t i = 0;
    while (i < args.size()) {
        while (i < args.size() && is_blank(args[i])) ++i;
        const auto start = i;
        while (i < args.size() && !is_blank(args[i])) ++i;
        heredoc_marker m;
        if (i > start && parse_heredoc_marker(args.substr(start, i - start), m)) out.push_back(std::move(m));
    }
    return out;
}

// Reads one heredoc body; false when the file ended before its terminating line.
bool read_heredoc(line_cursor& in, const heredoc_marker& m, std::string& body) {
    std::string_view line;
    while (in.next(line)) {
        if (m.strip_tabs)
            while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
        if (line == m.word) return true;
        body.append(line).push_back('\n');
    }
    return false;
}

void split_keyword(std::string_view joined, dockerfile_instruction& ins) {
    joined = trim(joined);
    std::size_t n = 0;
    while (n < joined.size() && !is_blank(joined[n])) ++n;
    ins.keyword = std::string(joined.substr(0, n));
    for (auto& c : ins.keyword)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    ins.arguments = std::string(trim(joined.substr(n)));
}

void read_instruction(line_cursor& in, std::string_view line, dockerfile_text& out) {
    dockerfile_instruction ins;
    ins.line = in.number();
    std::string joined;
    while (strip_continuation(line, out.escape)) {
        joined.append(line);
        bool more = false;
        while ((more = in.next(line)) && is_skippable(line)) {
        }
        if (!more) line = {};
    }
    joined.append(line);
    split_keyword(joined, ins);
    for (const auto& marker : heredoc_markers(ins)) {
        auto& body = ins.heredocs.emplace_back();
        if (!read_heredoc(in, marker, body)) ++out.unterminated_heredocs;
    }
    out.instructions.push_back(std::move(ins));
}

}  // namespace

dockerfile_text read_dockerfile_instructions(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    dockerfile_text out;
    line_cursor in(text);
    bool directives = true;
    std::string_view line;
    while (in.next(line)) {
        if (directives && read_directive(line, out.escape)) continue;
        directives = false;
        if (is_skippable(line)) continue;
        read_instruction(in, line, out);
    }
    return out;
}

}  // namespace strata::analytics

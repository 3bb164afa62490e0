// labels: matching path patterns with {name} placeholders.
#include "analytics/inputs/labels.hpp"

#include <stdexcept>
#include <vector>

namespace strata::analytics {
namespace {

// One pattern segment as tokens: a literal character, '*', or a {name} placeholder (which
// captures what its run matched).
struct segment_token {
    enum class kind { literal, any, capture } what;
    char c = 0;
    std::size_t capture = 0;  // index into the segment's names
};

std::vector<segment_token> tokenize(const std::string& segment, std::vector<std::string>& names) {
    std::vector<segment_token> out;
    for (std::size_t i = 0; i < segment.size(); ++i) {
        const char c = segment[i];
        if (c == '{') {
            const auto close = segment.find('}', i);
            if (close == std::string::npos) throw std::invalid_argument("unclosed { in label pattern");
            out.push_back({segment_token::kind::capture, 0, names.size()});
            names.push_back(segment.substr(i + 1, close - i - 1));
            i = close;
        } else if (c == '*') {
            out.push_back({segment_token::kind::any, 0, 0});
        } else {
            out.push_back({segment_token::kind::literal, c, 0});
        }
    }
    return out;
}

// Matches the whole of text, each run as long as the runs before it allow (the first
// placeholder takes the most). A table of which token suffixes match which text suffixes makes
// this O(tokens x text); backtracking, as std::regex does, is exponential in the placeholders.
bool match_segment(const std::vector<segment_token>& tokens, const std::string& text,
                   std::vector<std::string>& captures) {
    const auto m = tokens.size(), n = text.size();
    // rest[i * (n + 1) + j]: tokens[i..] match text[j..]
    std::vector<char> rest((m + 1) * (n + 1), 0);
    const auto at = [n](std::size_t i, std::size_t j) { return i * (n + 1) + j; };
    rest[at(m, n)] = 1;
    for (std::size_t i = m; i-- > 0;) {
        for (std::size_t j = n + 1; j-- > 0;) {
            if (tokens[i].what == segment_token::kind::literal)
                rest[at(i, j)] = j < n && text[j] == tokens[i].c && rest[at(i + 1, j + 1)];
            else
                rest[at(i, j)] = rest[at(i + 1, j)] || (j < n && rest[at(i, j + 1)]);
        }
    }
    if (!rest[at(0, 0)]) return false;
    std::size_t j = 0;
    for (std::size_t i = 0; i < m; ++i) {
        if (tokens[i].what == segment_token::kind::literal) {
            ++j;
            continue;
        }
        auto end = n;
        while (!rest[at(i + 1, end)]) --end;  // stops at j at the latest: rest[at(i, j)] holds
        if (tokens[i].what == segment_token::kind::capture) captures[tokens[i].capture] = text.substr(j, end - j);
        j = end;
    }
    return true;
}

}  // namespace

std::optional<label_set> labels_from_path(std::string_view pattern, const std::filesystem::path& path) {
    std::vector<std::string> want, have;
    for (std::size_t start = 0; start <= pattern.size();) {
        const auto slash = std::min(pattern.find('/', start), pattern.size());
        if (slash > start) want.emplace_back(pattern.substr(start, slash - start));
        start = slash + 1;
    }
    for (const auto& part : path)
        if (part != "/" && !part.empty()) have.push_back(part.string());
    if (want.size() > have.size()) return std::nullopt;
    label_set labels;
    const auto offset = have.size() - want.size();
    for (std::size_t i = 0; i < want.size(); ++i) {
        std::vector<std::string> names;
        const auto tokens = tokenize(want[i], names);
        std::vector<std::string> captures(names.size());
        if (!match_segment(tokens, have[offset + i], captures)) return std::nullopt;
        for (std::size_t k = 0; k < names.size(); ++k) labels[names[k]] = captures[k];
    }
    return labels;
}

}  // namespace strata::analytics

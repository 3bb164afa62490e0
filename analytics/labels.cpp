// labels: matching path patterns with {name} placeholders.
#include "analytics/labels.hpp"

#include <regex>
#include <stdexcept>
#include <vector>

namespace strata::analytics {
namespace {

std::regex segment_regex(const std::string& segment, std::vector<std::string>& names) {
    std::string re;
    for (std::size_t i = 0; i < segment.size(); ++i) {
        const char c = segment[i];
        if (c == '{') {
            const auto close = segment.find('}', i);
            if (close == std::string::npos) throw std::invalid_argument("unclosed { in label pattern");
            names.push_back(segment.substr(i + 1, close - i - 1));
            re += "(.*)";
            i = close;
        } else if (c == '*') {
            re += ".*";
        } else {
            if (std::string_view("\\^$.|?+()[]{}").find(c) != std::string_view::npos) re += '\\';
            re += c;
        }
    }
    return std::regex(re);
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
        std::smatch m;
        const auto re = segment_regex(want[i], names);
        if (!std::regex_match(have[offset + i], m, re)) return std::nullopt;
        for (std::size_t k = 0; k < names.size(); ++k) labels[names[k]] = m[k + 1].str();
    }
    return labels;
}

}  // namespace strata::analytics

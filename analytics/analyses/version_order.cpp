// version_order: tag parsing and the comparisons behind version-sorted tag lists.
#include "analytics/analyses/version_order.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <tuple>

namespace strata::analytics {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Natural order: runs of digits compare as numbers, everything else byte by byte.
bool natural_less(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (is_digit(a[i]) && is_digit(b[j])) {
            const auto si = i, sj = j;
            while (i < a.size() && is_digit(a[i])) ++i;
            while (j < b.size() && is_digit(b[j])) ++j;
            auto x = a.substr(si, i - si), y = b.substr(sj, j - sj);
            x.remove_prefix(std::min(x.find_first_not_of('0'), x.size()));
            y.remove_prefix(std::min(y.find_first_not_of('0'), y.size()));
            if (x.size() != y.size()) return x.size() < y.size();
            if (x != y) return x < y;
        } else {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i, ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

}  // namespace

std::optional<version> parse_version(std::string_view tag) {
    if (!tag.empty() && (tag.front() == 'v' || tag.front() == 'V')) tag.remove_prefix(1);
    if (tag.empty() || !is_digit(tag.front())) return std::nullopt;
    version v;
    std::size_t i = 0;
    while (i < tag.size() && is_digit(tag[i])) {
        std::uint64_t n = 0;
        const auto start = i;
        while (i < tag.size() && is_digit(tag[i])) {
            if (i - start >= 18) return std::nullopt;  // not a version number; a date or hash
            n = n * 10 + static_cast<std::uint64_t>(tag[i++] - '0');
        }
        v.numbers.push_back(n);
        if (i + 1 < tag.size() && tag[i] == '.' && is_digit(tag[i + 1])) ++i;
        else break;
    }
    if (i < tag.size()) {
        if (tag[i] != '-' && tag[i] != '+' && tag[i] != '_' && tag[i] != '.') return std::nullopt;
        v.suffix = std::string(tag.substr(i + 1));
    }
    return v;
}

bool version_less(const version& a, const version& b) {
    const auto n = std::max(a.numbers.size(), b.numbers.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = i < a.numbers.size() ? a.numbers[i] : 0;
        const auto y = i < b.numbers.size() ? b.numbers[i] : 0;
        if (x != y) return x < y;
    }
    if (a.suffix.empty() != b.suffix.empty()) return !a.suffix.empty();
    return natural_less(a.suffix, b.suffix);
}

std::vector<std::size_t> version_sorted(const std::vector<tag_to_sort>& tags) {
    std::vector<std::optional<version>> versions;
    for (const auto& t : tags) versions.push_back(parse_version(t.tag));
    std::vector<std::size_t> order(tags.size());
    std::iota(order.begin(), order.end(), 0);
    const auto created_less = [&](std::size_t x, std::size_t y) {
        const auto& a = tags[x].created_s;
        const auto& b = tags[y].created_s;
        if (a.has_value() != b.has_value()) return a.has_value();
        if (a && *a != *b) return *a < *b;
        return false;
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
        const auto& a = versions[x];
        const auto& b = versions[y];
        if (a.has_value() != b.has_value()) return a.has_value();
        if (a && b) {
            if (version_less(*a, *b)) return true;
            if (version_less(*b, *a)) return false;
        }
        if (created_less(x, y)) return true;
        if (created_less(y, x)) return false;
        return natural_less(tags[x].tag, tags[y].tag);
    });
    return order;
}

}  // namespace strata::analytics

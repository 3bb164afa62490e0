// Range headers: parsing the byte-range set, resolving it against a size, refusing what is
// unreasonable; and the framing of a multipart/byteranges body.
#include "proxy/protocol/byte_range.hpp"

#include "proxy/protocol/decimal.hpp"
#include "proxy/protocol/header_text.hpp"

#include <algorithm>
#include <cstdio>
#include <random>

namespace strata::proxy {
namespace {

std::optional<range_spec> parse_spec(std::string_view text) {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    if (dash == 0) {
        const auto suffix = whole_decimal(text.substr(1));
        if (!suffix) return std::nullopt;
        return range_spec{std::nullopt, std::nullopt, *suffix};
    }
    const auto first = whole_decimal(text.substr(0, dash));
    if (!first) return std::nullopt;
    if (dash + 1 == text.size()) return range_spec{first, std::nullopt, 0};
    const auto last = whole_decimal(text.substr(dash + 1));
    if (!last || *last < *first) return std::nullopt;
    return range_spec{first, last, 0};
}

// The spec within a blob of size, if any of it lies there.
std::optional<byte_range> resolve(const range_spec& s, std::uint64_t size) {
    if (size == 0) return std::nullopt;
    if (!s.first) {
        if (s.suffix == 0) return std::nullopt;
        return byte_range{size - std::min(s.suffix, size), size - 1};
    }
    if (*s.first >= size) return std::nullopt;
    return byte_range{*s.first, s.last ? std::min(*s.last, size - 1) : size - 1};
}

}  // namespace

std::string range_spec::header_value() const {
    if (!first) return "bytes=-" + std::to_string(suffix);
    return "bytes=" + std::to_string(*first) + "-" + (last ? std::to_string(*last) : std::string());
}

std::optional<std::vector<range_spec>> parse_range_header(std::string_view header) {
    constexpr std::string_view unit = "bytes=";
    if (!header.starts_with(unit)) return std::nullopt;
    auto rest = header.substr(unit.size());
    std::vector<range_spec> specs;
    for (;;) {
        const auto comma = rest.find(',');
        const auto item = trim_ows(rest.substr(0, comma));
        if (!item.empty()) {  // RFC 9110 5.6.1: empty list elements are ignored
            auto spec = parse_spec(item);
            if (!spec || specs.size() == 4 * max_ranges) return std::nullopt;
            specs.push_back(*spec);
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    if (specs.empty()) return std::nullopt;
    return specs;
}

result<std::vector<byte_range>> resolve_ranges(std::string_view header, std::uint64_t size) {
    const auto specs = parse_range_header(header);
    if (!specs) return std::vector<byte_range>{};
    return resolve_specs(*specs, size);
}

std::optional<content_range> parse_content_range(std::string_view value) {
    constexpr std::string_view unit = "bytes ";
    if (!value.starts_with(unit)) return std::nullopt;
    value.remove_prefix(unit.size());
    const auto dash = value.find('-'), slash = value.find('/');
    if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) return std::nullopt;
    const auto first = whole_decimal(value.substr(0, dash));
    const auto last = whole_decimal(value.substr(dash + 1, slash - dash - 1));
    const auto complete = whole_decimal(value.substr(slash + 1));
    if (!first || !last || !complete || *last < *first || *last >= *complete) return std::nullopt;
    return content_range{{*first, *last}, *complete};
}

result<std::vector<byte_range>> resolve_specs(const std::vector<range_spec>& specs, std::uint64_t size) {
    std::vector<byte_range> ranges;
    for (const auto& s : specs)
        if (auto r = resolve(s, size)) ranges.push_back(*r);
    if (ranges.empty()) return errc::range_unsatisfiable;
    if (ranges.size() > max_ranges) return errc::ranges_refused;
    auto sorted = ranges;
    std::sort(sorted.begin(), sorted.end(), [](const byte_range& a, const byte_range& b) { return a.first < b.first; });
    for (std::size_t i = 1; i < sorted.size(); ++i)
        if (sorted[i].first <= sorted[i - 1].last) return errc::ranges_refused;
    return ranges;
}

std::vector<range_span> plan_spans(const std::vector<byte_range>& ranges, std::uint64_t max_gap) {
    std::vector<range_span> spans;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        const auto& r = ranges[i];
        if (!spans.empty()) {
            auto& open = spans.back();
            const auto end = open.covering.last;
            if (r.first > end && r.first - end - 1 <= max_gap) {
                open.covering.last = r.last;
                open.end = i + 1;
                continue;
            }
        }
        spans.push_back({r, i + 1});
    }
    return spans;
}

void assign_range_for_record(std::string& out, std::string_view header) {
    constexpr std::size_t kept = 256;
    if (header.size() <= kept) {
        out.assign(header);
        return;
    }
    const auto cut = header.substr(0, kept - 32);
    out.assign(cut.substr(0, cut.rfind(',')));
    const auto ranges = static_cast<std::size_t>(std::count(header.begin(), header.end(), ',')) + 1;
    out += ",\xE2\x80\xA6 (";  // an ellipsis
    out += std::to_string(ranges);
    out += " ranges)";
}

result<std::vector<range_span>> plan_upstream_spans(const std::vector<byte_range>& ranges, std::uint64_t max_gap) {
    auto spans = plan_spans(ranges, max_gap);
    while (spans.size() > max_upstream_spans) {
        std::size_t best = spans.size();
        std::uint64_t best_gap = 0;
        for (std::size_t i = 0; i + 1 < spans.size(); ++i) {
            const auto& a = spans[i].covering;
            const auto& b = spans[i + 1].covering;
            if (b.first <= a.last) continue;  // out of order: never joined
            const auto gap = b.first - a.last - 1;
            if (best == spans.size() || gap < best_gap) best = i, best_gap = gap;
        }
        if (best == spans.size()) return errc::ranges_refused;
        spans[best].covering.last = spans[best + 1].covering.last;
        spans[best].end = spans[best + 1].end;
        spans.erase(spans.begin() + static_cast<std::ptrdiff_t>(best) + 1);
    }
    return spans;
}

std::string multipart_boundary() {
    thread_local std::mt19937_64 random{std::random_device{}()};
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(random()));
    return "strata" + std::string(hex);
}

multipart_plan plan_multipart(const std::vector<byte_range>& ranges, std::uint64_t size, std::string_view part_type,
                              std::string_view boundary) {
    multipart_plan plan;
    plan.content_type = "multipart/byteranges; boundary=" + std::string(boundary);
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        const auto& r = ranges[i];
        auto head = std::string(i ? "\r\n--" : "--") + std::string(boundary) + "\r\nContent-Type: " +
                    std::string(part_type) + "\r\nContent-Range: bytes " + std::to_string(r.first) + "-" +
                    std::to_string(r.last) + "/" + std::to_string(size) + "\r\n\r\n";
        plan.content_length += head.size() + r.length();
        plan.part_heads.push_back(std::move(head));
    }
    plan.closing = "\r\n--" + std::string(boundary) + "--\r\n";
    plan.content_length += plan.closing.size();
    return plan;
}

}  // namespace strata::proxy

// svg_chart: coordinates, axes and marks, written as SVG text.
#include "analytics/report/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace strata::analytics {
namespace {

// Twenty distinct colours: a chart's series (the simulator's dozen policies) each get their own.
constexpr const char* palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
                                   "#ff9da7", "#9c755f", "#79706e", "#a0cbe8", "#ffbe7d", "#8cd17d", "#b6992d",
                                   "#499894", "#86bcb6", "#d37295", "#fabfd2", "#d4a6c8", "#1d2330"};

constexpr double label_px = 11;  // the .l/.x/.y classes' font size

// A generous estimate of a label's width at label_px (system fonts average ~0.55 em a character).
double label_width(const std::string& s) { return 0.62 * label_px * static_cast<double>(s.size()) + 4; }

// Every how many'th of n labels, spaced `spacing` apart, can be drawn without two touching.
std::size_t label_step(const std::vector<std::string>& labels, double spacing) {
    double widest = 0;
    for (const auto& l : labels) widest = std::max(widest, label_width(l));
    if (spacing <= 0) return std::max<std::size_t>(labels.size(), 1);
    return std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(widest / spacing)));
}

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string open_svg(double w, double h, const std::string& title, const char* cls = "chart") {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"" + std::string(cls) + "\" width=\"" + fmt(w) + "\" height=\"" + fmt(h) +
           "\" viewBox=\"0 0 " + fmt(w) + " " + fmt(h) + "\" role=\"img\"><title>" + xml_escape(title) +
           "</title><text x=\"" + fmt(w / 2) + "\" y=\"18\" text-anchor=\"middle\" class=\"t\">" + xml_escape(title) +
           "</text>";
}

std::string text(double x, double y, const std::string& s, const char* anchor = "start", const char* cls = "l") {
    return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" text-anchor=\"" + anchor + "\" class=\"" + cls + "\">" +
           xml_escape(s) + "</text>";
}

std::string rect(double x, double y, double w, double h, const std::string& fill, const std::string& tip = "") {
    auto r = "<rect x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" width=\"" + fmt(std::max(w, 0.0)) + "\" height=\"" +
             fmt(std::max(h, 0.0)) + "\" fill=\"" + fill + "\"";
    return tip.empty() ? r + "/>" : r + "><title>" + xml_escape(tip) + "</title></rect>";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& stroke, double width = 1) {
    return "<line x1=\"" + fmt(x1) + "\" y1=\"" + fmt(y1) + "\" x2=\"" + fmt(x2) + "\" y2=\"" + fmt(y2) +
           "\" stroke=\"" + stroke + "\" stroke-width=\"" + fmt(width) + "\"/>";
}

std::string shorten(const std::string& s, std::size_t n) { return s.size() <= n ? s : "…" + s.substr(s.size() - n + 1); }

std::string circle(double x, double y, double r, const std::string& fill, const std::string& tip) {
    return "<circle cx=\"" + fmt(x) + "\" cy=\"" + fmt(y) + "\" r=\"" + fmt(r) + "\" fill=\"" + fill + "\"><title>" +
           xml_escape(tip) + "</title></circle>";
}

// A colour from white (0) to dark blue (1).
std::string heat(double v) {
    v = std::clamp(v, 0.0, 1.0);
    const auto c = [&](int lo, int hi) { return static_cast<int>(std::lround(lo + (hi - lo) * v)); };
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c(247, 8), c(251, 48), c(255, 107));
    return buf;
}

}  // namespace

std::string svg_histogram(const std::vector<histogram_bin>& bins, const std::string& title,
                          const std::function<std::string(double)>& label) {
    const double w = 960, h = 280, left = 48, right = 16, top = 30, bottom = 48;
    auto svg = open_svg(w, h, title);
    std::size_t peak = 1;
    for (const auto& b : bins) peak = std::max(peak, b.count);
    const double bw = bins.empty() ? 0 : (w - left - right) / static_cast<double>(bins.size());
    const double ph = h - top - bottom;
    svg += line(left, h - bottom, w - right, h - bottom, "#888");
    svg += text(left - 6, top + 8, std::to_string(peak), "end", "y");
    svg += text(left - 6, h - bottom, "0", "end", "y");
    std::vector<std::string> lows;
    for (const auto& b : bins) lows.push_back(label(b.low));
    const auto every = label_step(lows, bw);
    for (std::size_t i = 0; i < bins.size(); ++i) {
        const auto& b = bins[i];
        const double bh = ph * static_cast<double>(b.count) / static_cast<double>(peak);
        svg += rect(left + bw * static_cast<double>(i) + 1, h - bottom - bh, bw - 2, bh, palette[0],
                    label(b.low) + " – " + label(b.high) + ": " + std::to_string(b.count));
        if (i % every == 0) svg += text(left + bw * static_cast<double>(i), h - bottom + 16, lows[i], "start", "x");
    }

    return svg + "</svg>";
}

std::string svg_line_chart(const std::vector<line_series>& series, const std::string& title,
                           const std::function<std::string(double)>& y_label, bool log_y, double w) {
    const double legend_w = series.size() > 1 ? 170 : 0;
    const double left = 70, right = 16 + legend_w, top = 30, bottom = 40;
    const double h = std::max(300.0, top + 16 * static_cast<double>(series.size()) + 10);
    auto svg = open_svg(w, h, title);
    double lo = INFINITY, hi = -INFINITY;
    std::size_t points = 0;
    const line_series* longest = nullptr;
    for (const auto& s : series) {
        for (const double y : s.y) lo = std::min(lo, y), hi = std::max(hi, y);
        points = std::max(points, s.y.size());
        if (!longest || s.x.size() > longest->x.size()) longest = &s;
    }
    if (!(hi >= lo)) return svg + text(w / 2, h / 2, "no data", "middle") + "</svg>";
    const auto tr = [&](double v) { return log_y ? std::log10(std::max(v, 1e-12)) : v; };
    double tlo = log_y ? tr(lo) : std::min(0.0, lo), thi = tr(hi);
    if (thi <= tlo) thi = tlo + 1;
    const auto y_of = [&](double v) { return top + (h - top - bottom) * (1 - (tr(v) - tlo) / (thi - tlo)); };
    svg += line(left, h - bottom, w - right, h - bottom, "#888") + line(left, top, left, h - bottom, "#888");
    for (int k = 0; k <= 4; ++k) {
        const double tv = tlo + (thi - tlo) * k / 4.0;
        const double v = log_y ? std::pow(10.0, tv) : tv;
        svg += text(left - 6, y_of(v) + 4, y_label(v), "end", "y") + line(left, y_of(v), w - right, y_of(v), "#eee");
    }
    // One point per series (a single capacity, say): drawn at the middle, without a line.
    const double plot_w = w - left - right;
    const auto x_of = [&](std::size_t i) {
        return points > 1 ? left + plot_w * static_cast<double>(i) / static_cast<double>(points - 1) : left + plot_w / 2;
    };
    if (longest) {
        const auto every = label_step(longest->x, points > 1 ? plot_w / static_cast<double>(points - 1) : plot_w);
        for (std::size_t i = 0; i < longest->x.size(); i += every) svg += text(x_of(i), h - bottom + 20, longest->x[i], "middle", "x");
    }
    for (std::size_t s = 0; s < series.size(); ++s) {
        const auto& sr = series[s];
        const auto color = palette[s % std::size(palette)];
        std::string line_points;
        for (std::size_t i = 0; i < sr.y.size(); ++i) {
            line_points += fmt(x_of(i)) + "," + fmt(y_of(sr.y[i])) + " ";
            svg += circle(x_of(i), y_of(sr.y[i]), sr.y.size() > 1 ? 3 : 5, color,
                          sr.name + " " + (i < sr.x.size() ? sr.x[i] : "") + ": " + y_label(sr.y[i]));
        }
        if (sr.y.size() > 1)
            svg += "<polyline fill=\"none\" stroke=\"" + std::string(color) + "\" stroke-width=\"2\" points=\"" + line_points + "\"/>";
        if (legend_w > 0)
            svg += rect(w - right + 10, top + 16 * static_cast<double>(s), 10, 10, color) +
                   text(w - right + 24, top + 9 + 16 * static_cast<double>(s), shorten(sr.name, 22));
    }
    if (points == 1) svg += text(left + plot_w / 2, h - bottom - 8, "one point per series: drawn as points, no curve", "middle", "s");
    return svg + "</svg>";
}

std::string svg_box_plots(const std::vector<box>& boxes, const std::string& title, const std::string& unit) {
    const double row = 28, left = 300, right = 60, top = 34, w = 860;
    const double h = top + row * static_cast<double>(boxes.size()) + 30;
    auto svg = open_svg(w, h, title);
    double hi = 0;
    for (const auto& b : boxes) hi = std::max(hi, b.max);
    if (hi <= 0) hi = 1;
    const auto x_of = [&](double v) { return left + (w - left - right) * v / hi; };
    for (int k = 0; k <= 4; ++k) {
        const double v = hi * k / 4.0;
        svg += line(x_of(v), top - 4, x_of(v), h - 26, "#eee") + text(x_of(v), h - 10, fmt(v) + " " + unit, "middle", "x");
    }
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        const auto& b = boxes[i];
        const double y = top + row * static_cast<double>(i) + row / 2;
        const auto color = palette[i % std::size(palette)];
        svg += text(left - 8, y + 4, shorten(b.name, 40) + " (" + std::to_string(b.count) + ")", "end", "y");
        svg += line(x_of(b.p5), y, x_of(b.p95), y, "#555");
        svg += rect(x_of(b.p25), y - 8, x_of(b.p75) - x_of(b.p25), 16, color,
                    "p25 " + fmt(b.p25) + ", p50 " + fmt(b.p50) + ", p75 " + fmt(b.p75) + " " + unit);
        svg += line(x_of(b.p50), y - 8, x_of(b.p50), y + 8, "#111", 2);
        svg += "<circle cx=\"" + fmt(x_of(b.max)) + "\" cy=\"" + fmt(y) + "\" r=\"2.5\" fill=\"#111\"/>";
    }
    return svg + "</svg>";
}

std::string svg_heatmap(const std::vector<std::string>& names, const std::vector<std::size_t>& order,
                        const std::function<double(std::size_t, std::size_t)>& value,
                        const std::vector<std::size_t>& clusters, const std::string& title) {
    const auto n = order.size();
    const double cell = n > 80 ? 5 : n > 40 ? 8 : 12, top = 30, strip = 8;
    const bool row_labels = cell >= 12;  // smaller rows name their image on hover only
    const double label_w = row_labels ? 300 : 40;
    // The largest clusters, for the strip's legend.
    std::map<std::size_t, std::size_t> sizes;
    for (const auto c : clusters) ++sizes[c];
    std::vector<std::pair<std::size_t, std::size_t>> largest(sizes.begin(), sizes.end());
    std::stable_sort(largest.begin(), largest.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (largest.size() > 8) largest.resize(8);
    const double grid = cell * static_cast<double>(n);
    const double w = std::max(label_w + strip + grid + 10, 520.0);
    const double h = top + grid + 48 + (clusters.empty() ? 0 : 18.0 * static_cast<double>((largest.size() + 1) / 2) + 22);
    // The background is the zero colour, so only pairs that share something are drawn.
    auto svg = open_svg(w, h, title, "chart heat") + rect(label_w + strip, top, grid, grid, heat(0));
    for (std::size_t r = 0; r < n; ++r) {
        const auto i = order[r];
        const double y = top + cell * static_cast<double>(r);
        const auto tip = shorten(names[i], 200) + (clusters.empty() ? "" : " (cluster " + std::to_string(clusters[i]) + ")");
        if (row_labels) svg += text(label_w - 4, y + cell - 2, shorten(names[i], 48), "end", "y s");
        svg += rect(0, y, label_w, cell, "transparent", tip);  // hover: the row's image
        if (!clusters.empty()) svg += rect(label_w, y, strip - 2, cell, palette[(clusters[i] - 1) % std::size(palette)], tip);
        for (std::size_t c = 0; c < n; ++c) {
            const auto j = order[c];
            const double v = i == j ? 1.0 : value(i, j);
            if (v <= 0) continue;
            svg += rect(label_w + strip + cell * static_cast<double>(c), y, cell, cell, heat(v),
                        shorten(names[i], 60) + " / " + shorten(names[j], 60) + ": " + fmt(v));
        }
    }
    double ly = top + grid + 12;
    for (int k = 0; k <= 10; ++k) svg += rect(label_w + strip + 14.0 * k, ly, 14, 10, heat(k / 10.0));
    svg += text(label_w + strip, ly + 24, "0 (nothing shared)") + text(label_w + strip + 162, ly + 24, "1 (same layers)", "start");
    if (clusters.empty()) return svg + "</svg>";
    ly += 40;
    svg += text(label_w, ly, "Strip at the left: each colour is one cluster (" + std::to_string(sizes.size()) +
                                 " in all); the largest:");
    for (std::size_t k = 0; k < largest.size(); ++k) {
        const double x = label_w + 230.0 * static_cast<double>(k % 2), y = ly + 8 + 18.0 * static_cast<double>(k / 2);
        svg += rect(x, y, 10, 10, palette[(largest[k].first - 1) % std::size(palette)]) +
               text(x + 16, y + 9, "cluster " + std::to_string(largest[k].first) + ": " + std::to_string(largest[k].second) +
                                       " images");
    }
    return svg + "</svg>";
}

std::string svg_bars(const std::vector<std::pair<std::string, double>>& bars, const std::string& title,
                     const std::function<std::string(double)>& label) {
    const double row = 24, left = 300, right = 120, top = 32, w = 860;
    const double h = top + row * static_cast<double>(bars.size()) + 12;
    auto svg = open_svg(w, h, title);
    double hi = 0;
    for (const auto& [_, v] : bars) hi = std::max(hi, v);
    if (hi <= 0) hi = 1;
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const double y = top + row * static_cast<double>(i);
        const double bw = (w - left - right) * bars[i].second / hi;
        svg += text(left - 8, y + 15, shorten(bars[i].first, 40), "end", "y") +
               rect(left, y + 3, bw, row - 8, palette[i % std::size(palette)]) + text(left + bw + 6, y + 15, label(bars[i].second));
    }
    return svg + "</svg>";
}

}  // namespace strata::analytics

// svg_chart: small self-contained SVG charts (no scripts, no fonts to fetch) for the report.
#pragma once

#include "analytics/analyses/distribution.hpp"
#include "analytics/report/result_table.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analytics {

// Bars of a log-scale histogram; x labels are formatted by label (e.g. human_bytes), thinned
// so that no two touch. Axis labels carry the classes "x" and "y".
std::string svg_histogram(const std::vector<histogram_bin>& bins, const std::string& title,
                          const std::function<std::string(double)>& label);

struct line_series {
    std::string name;
    std::vector<std::string> x;  // category labels, in order
    std::vector<double> y;
};

// One line per series over its own categories (x positions 0..n-1 scaled to the width), the
// longest series' categories labelled below, thinned so that no two labels touch; a series of
// one point is drawn as a point. log_y draws y on a log scale (values must be > 0 there).
// width is the drawing's own (it is scaled to the page): narrower for small multiples.
std::string svg_line_chart(const std::vector<line_series>& series, const std::string& title,
                           const std::function<std::string(double)>& y_label, bool log_y = false, double width = 960);

struct box {
    std::string name;
    double p5 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0, max = 0;
    std::size_t count = 0;
};

// Horizontal box plots: whiskers p5..p95, box p25..p75, a line at the median, a dot at max.
std::string svg_box_plots(const std::vector<box>& boxes, const std::string& title, const std::string& unit);

// A square heatmap of values in [0, 1], rows and columns in the given order. Rows are labelled
// when they are tall enough, and name their image on hover always; when cluster labels are
// given, a coloured strip marks each row's cluster, with a legend of the largest clusters.
std::string svg_heatmap(const std::vector<std::string>& names, const std::vector<std::size_t>& order,
                        const std::function<double(std::size_t, std::size_t)>& value,
                        const std::vector<std::size_t>& clusters, const std::string& title);

// Horizontal bars, one per name.
std::string svg_bars(const std::vector<std::pair<std::string, double>>& bars, const std::string& title,
                     const std::function<std::string(double)>& label);

}  // namespace strata::analytics

// distribution: one sort, then interpolated ranks.
#include "analytics/analyses/distribution.hpp"

#include <algorithm>
#include <cmath>

namespace strata::analytics {

const std::vector<int>& distribution::standard_percentiles() {
    static const std::vector<int> p = {5, 25, 50, 75, 90, 95, 99, 100};
    return p;
}

distribution describe(std::vector<double> values, const std::vector<int>& percentiles) {
    distribution d;
    d.count = values.size();
    if (values.empty()) return d;
    std::sort(values.begin(), values.end());
    for (double v : values) d.sum += v;
    d.mean = d.sum / static_cast<double>(values.size());
    double squares = 0;
    for (double v : values) squares += (v - d.mean) * (v - d.mean);
    d.stddev = std::sqrt(squares / static_cast<double>(values.size()));
    d.min = values.front();
    d.max = values.back();
    for (int p : percentiles) {
        const double rank = static_cast<double>(values.size() - 1) * std::clamp(p, 0, 100) / 100.0;
        const auto lo = static_cast<std::size_t>(std::floor(rank));
        const auto hi = std::min(lo + 1, values.size() - 1);
        d.percentiles[p] = values[lo] + (values[hi] - values[lo]) * (rank - static_cast<double>(lo));
    }
    return d;
}

std::vector<histogram_bin> log_histogram(const std::vector<double>& values, int bins_per_decade) {
    double lo = 0, hi = 0;
    std::size_t non_positive = 0;
    for (double v : values) {
        if (!(v > 0)) {
            ++non_positive;
            continue;
        }
        lo = lo == 0 ? v : std::min(lo, v);
        hi = std::max(hi, v);
    }
    std::vector<histogram_bin> bins;
    if (lo == 0) {
        if (non_positive) bins.push_back({0, 0, non_positive});
        return bins;
    }
    const double step = 1.0 / std::max(bins_per_decade, 1);
    const double first = std::floor(std::log10(lo) / step) * step;
    const auto n = static_cast<std::size_t>(std::floor((std::log10(hi) - first) / step)) + 1;
    for (std::size_t i = 0; i < n; ++i)
        bins.push_back({std::pow(10.0, first + step * static_cast<double>(i)),
                        std::pow(10.0, first + step * static_cast<double>(i + 1)), 0});
    for (double v : values) {
        if (!(v > 0)) continue;
        auto i = static_cast<std::size_t>(std::floor((std::log10(v) - first) / step));
        i = std::min(i, n - 1);
        if (i > 0 && v < bins[i].low) --i;  // rounding at a bin edge
        ++bins[i].count;
    }
    if (non_positive) bins.insert(bins.begin(), histogram_bin{0, bins.front().low, non_positive});
    return bins;
}

}  // namespace strata::analytics

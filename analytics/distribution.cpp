// distribution: one sort, then interpolated ranks.
#include "analytics/distribution.hpp"

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

}  // namespace strata::analytics

// distribution: count, mean, standard deviation and percentiles of a sample.
#pragma once

#include <cstddef>
#include <map>
#include <vector>

namespace strata::analytics {

struct distribution {
    std::size_t count = 0;
    double sum = 0, mean = 0, stddev = 0, min = 0, max = 0;
    std::map<int, double> percentiles;  // p -> value, for the p asked for

    // The percentiles reported everywhere unless asked otherwise.
    static const std::vector<int>& standard_percentiles();
};

// Percentiles by linear interpolation between closest ranks (NumPy's default): p at rank
// (n - 1) * p / 100. stddev is the population standard deviation. An empty sample gives
// count 0 and no percentiles.
distribution describe(std::vector<double> values, const std::vector<int>& percentiles = distribution::standard_percentiles());

// One bar of a histogram: values in [low, high).
struct histogram_bin {
    double low = 0, high = 0;
    std::size_t count = 0;
};

// A histogram on a log scale: bins_per_decade bins per power of ten, from the decade of the
// smallest positive value to that of the largest. Values <= 0 land in a first bin [0, low).
std::vector<histogram_bin> log_histogram(const std::vector<double>& values, int bins_per_decade = 4);

}  // namespace strata::analytics

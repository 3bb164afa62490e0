// metrics_text: one counter read from a strata's Prometheus text exposition.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace strata::proxy {

// The sum of the samples of `name` whose labels include label="value" (every sample when label
// is empty); nullopt when there is no such sample. Lines that do not parse are skipped.
std::optional<double> metric_sum(std::string_view exposition, std::string_view name, std::string_view label = {},
                                 std::string_view value = {});

}  // namespace strata::proxy

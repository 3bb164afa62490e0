// bench_report: the recorded trials of strata bench as the analytics report's opening section:
// verdicts, pull time against image size per layer count, strategies compared, herd scaling,
// egress and cost per strategy.
#pragma once

#include "analytics/analyses/pull_cost.hpp"
#include "analytics/report/report_html.hpp"
#include "proxy/bench/pull_bench.hpp"

#include <vector>

namespace strata::proxy {

// prices may be null (then no cost table). Every number shown is computed from the trials.
analytics::report_section bench_section(const std::vector<trial_result>& trials, const analytics::price_table* prices);

}  // namespace strata::proxy

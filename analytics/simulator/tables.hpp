// sim_tables: simulation results as a table, JSON, and miss-ratio curves for the report.
#pragma once

#include "analytics/report/result_table.hpp"
#include "analytics/simulator/simulator.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace strata::analytics {

result_table sim_results_table(const std::vector<sim_result>& results, const std::string& currency);
result_table trace_summary_table(const trace& t);
nlohmann::json sim_json(const std::vector<sim_result>& results, const trace& t);
// Miss ratio (requests, then bytes) against capacity, one line per policy, per topology.
std::string sim_curves_svg(const std::vector<sim_result>& results);

}  // namespace strata::analytics

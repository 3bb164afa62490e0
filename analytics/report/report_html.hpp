// report_html: one self-contained HTML page (inline CSS and SVG, no scripts or fetched fonts)
// with every analysis: sizes, trends, reuse, similarity, hygiene, pull times, cost, and
// simulated caching strategies.
#pragma once

#include "analytics/inputs/image_catalog.hpp"
#include "analytics/inputs/k8s_events.hpp"
#include "analytics/analyses/pull_cost.hpp"
#include "analytics/simulator/simulator.hpp"

#include <optional>
#include <string>
#include <vector>

namespace strata::analytics {

// A section another part of strata builds (strata bench's results): its HTML is used as given.
struct report_section {
    std::string id, title, html;
};

struct report_inputs {
    std::string title = "strata analytics";
    std::string generated_at;                  // shown as given
    const image_catalog* images = nullptr;     // sections on images are left out without one
    const std::vector<pull_observation>* pulls = nullptr;
    std::optional<import_counts> event_counts;
    const price_table* prices = nullptr;       // the cost section needs it
    std::vector<std::string> pull_group_by;    // labels for the box plots and the cost table
    std::size_t heatmap_max = 120;             // images in the heatmap (the first ones read)
    const std::vector<sim_result>* simulation = nullptr;  // `strata simulate --report`
    const trace* simulated_trace = nullptr;
    std::vector<report_section> lead;          // first, before what the data says
};

std::string render_report(const report_inputs& in);

}  // namespace strata::analytics

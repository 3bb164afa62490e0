// analysis_tables: every analysis result as tables (for text and CSV) and as JSON.
#pragma once

#include "analytics/analyses/base_images.hpp"
#include "analytics/analyses/dockerfile_hygiene.hpp"
#include "analytics/analyses/dockerfile_survey.hpp"
#include "analytics/inputs/image_catalog.hpp"
#include "analytics/analyses/image_neighbours.hpp"
#include "analytics/analyses/image_similarity.hpp"
#include "analytics/analyses/image_sizes.hpp"
#include "analytics/inputs/k8s_events.hpp"
#include "analytics/analyses/layer_reuse.hpp"
#include "analytics/analyses/pull_cost.hpp"
#include "analytics/analyses/pull_times.hpp"
#include "analytics/report/result_table.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace strata::analytics {

// "cloud=aws env=eks", or "all" for the empty key.
std::string key_text(const label_set& key);

result_table sizes_table(const std::vector<size_group>& groups);
result_table trends_table(const std::vector<repository_trend>& trends);
result_table reuse_summary_table(const reuse_summary& r);
result_table reuse_buckets_table(const reuse_summary& r);
result_table shared_layers_table(const reuse_summary& r);
result_table hygiene_summary_table(const hygiene_summary& h);
result_table layers_table(const std::string& title, const std::vector<layer_with_step>& layers);
result_table clusters_table(const similarity_result& s);
// The most similar pairs (by the clustered basis), at most limit.
result_table similar_pairs_table(const similarity_result& s, std::size_t limit);
// Every image's neighbours, best first (all n·k rows: the CSV export).
result_table neighbours_table(const neighbours_result& r);
// The largest clusters of the neighbour graph, at most limit, with up to 10 members named.
result_table graph_clusters_table(const neighbours_result& r, std::size_t limit);
result_table pull_times_table(const std::vector<pull_time_group>& groups);
result_table costs_table(const std::vector<cost_group>& groups, const price_table& prices);
// Each analysed image with its base (or none), and the images per base family.
result_table image_bases_table(const base_image_result& r);
result_table base_families_table(const base_image_result& r);
// Summary, base images, FROM lines naming no image, uncleaned installs, unreadable files.
std::vector<result_table> dockerfile_survey_tables(const dockerfile_survey_result& r);
result_table image_import_table(const image_catalog& catalog);
result_table event_import_table(const import_counts& counts);

nlohmann::json to_json(const distribution& d);
nlohmann::json to_json(const std::vector<histogram_bin>& bins);
nlohmann::json to_json(const std::vector<size_group>& groups);
// Names, order, cluster labels, means, and every pair with non-zero similarity on either basis.
nlohmann::json to_json(const similarity_result& s);
nlohmann::json to_json(const dockerfile_survey_result& r);
// Names, cluster labels, and per image its neighbours as [index, similarity] pairs.
nlohmann::json to_json(const neighbours_result& r);

}  // namespace strata::analytics

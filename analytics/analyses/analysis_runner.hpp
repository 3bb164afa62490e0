// analysis_runner: runs one named analysis over images and pulls, for the CLI and the HTTP API.
#pragma once

#include "analytics/analyses/analysis_tables.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace strata::analytics {

struct analysis_request {
    std::string name;                   // sizes | trends | reuse | similarity | neighbours | hygiene | bases | pulls | cost
    std::vector<std::string> group_by;  // sizes, pulls, cost
    std::size_t top = 20;               // reuse, similarity, hygiene
    similarity_basis by = similarity_basis::digest;
    float cut = 0.5f;                   // similarity, neighbours: distance at which clusters are cut
    std::size_t k = 20;                 // neighbours: how many per image
    std::optional<price_table> prices;  // cost (required there)
    std::vector<std::string> base_repositories;  // bases: empty for default_base_repositories()
};

struct analysis_output {
    std::vector<result_table> tables;  // the first is the one CSV output carries
    nlohmann::json json;
};

// The analyses run_analysis knows, in the order help texts list them.
const std::vector<std::string>& analysis_names();

// The most images `similarity` takes: its matrices grow with the square (20,000 images take
// about 1.6 GB). `neighbours` has no such limit.
inline constexpr std::size_t max_dense_similarity_images = 20000;

// The most neighbour pairs (images × k) `neighbours` keeps: 300,000 images with k = 20 take
// 6 million, and each pair costs its edge in the clustering and a row in the table.
inline constexpr std::size_t max_neighbour_pairs = 10'000'000;

// Images one at a time: an image_stream calls its visitor once per image (an image catalog's
// images; images saved in a data directory, read back one by one).
using image_visitor = std::function<void(const image&)>;
using image_stream = std::function<void(const image_visitor&)>;

// Throws std::invalid_argument for an unknown name, a cost request without prices, a
// similarity request over more than max_dense_similarity_images images, or a neighbours
// request over more than max_neighbour_pairs pairs.
analysis_output run_analysis(const analysis_request& request, const image_catalog& images,
                             const std::vector<pull_observation>& pulls);

// The same over a stream read once: sizes, trends, reuse and hygiene keep only what they
// summarise, never the images; similarity, neighbours and bases hold every image's layer list
// (and its history for similarity, and for --by content).
analysis_output run_analysis(const analysis_request& request, const image_stream& images,
                             const std::vector<pull_observation>& pulls);

// Parses "digest" or "content"; throws std::invalid_argument otherwise.
similarity_basis parse_similarity_basis(const std::string& text);

}  // namespace strata::analytics

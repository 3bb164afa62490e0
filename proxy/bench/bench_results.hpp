// bench_results: a pull bench's trials as pull events to record, a table, and plain verdicts.
#pragma once

#include "analytics/report/result_table.hpp"
#include "proxy/bench/pull_bench.hpp"
#include "storage/events/pull_event.hpp"

#include <string>
#include <vector>

namespace strata::proxy {

// Every request of every node (kind manifest or blob, labels with source=upstream|proxy|node-cache),
// each node's whole pull (kind "image": duration first request to last byte, bytes_sent what
// it received, object_size the image's size, status 200 or 0 when it failed), and the trial
// (kind "trial", node "bench": its wall time, the bytes all nodes received, upstream_bytes what
// the registry sent, status 200 when every pull finished; ts_ns its first request). Every event
// is labelled run, strategy, nodes, concurrency, shape (when known) and registry.
std::vector<storage::pull_event> trial_events(const trial_result& trial, const std::string& run_id);

// The trials back from recorded events (trial_events' output, from any number of runs), in
// the order their trial events were recorded. Events of no trial are left out; a trial event
// whose image events are missing gives a trial without pulls.
std::vector<trial_result> trials_from_events(const std::vector<storage::pull_event>& events);

// The pull times of the trial's nodes that finished, and the q-quantile (nearest rank) of them.
std::vector<double> finished_seconds(const trial_result& trial);
double quantile(std::vector<double> values, double q);
// "0.42 s", "71 s".
std::string seconds_text(double s);

// One row per trial: pull time p50, p90 and max, wall time, bytes received by all nodes, bytes
// the registry sent, failures.
analytics::result_table trials_table(const std::vector<trial_result>& trials);

// For each image, node count and concurrency measured with direct and another strategy: "1 GB
// in 4 layers on 16 nodes: proxy-cold 3.2x faster than direct (p50), 15 GB less egress".
std::vector<std::string> verdicts(const std::vector<trial_result>& trials);

}  // namespace strata::proxy

// strata_pulls: strata's own event log as pull observations, for the pull-time analyses.
#pragma once

#include "analytics/inputs/k8s_events.hpp"

#include "storage/events/event_log.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace strata::analytics {

// Each successful manifest or blob GET strata served between since_ns and until_ns: image
// is "upstream/repository", node the requesting node, seconds the request's duration, bytes
// what was sent. Labels: source=strata, kind (manifest|blob), cache (hit|miss|coalesced|…),
// upstream, and the event's own labels (a bench run's: run, strategy, nodes, shape, …). HEADs, tag
// lists and errors are left out. A bench's whole-image pulls (kind "image") are kept and its
// single requests (they carry a run label) are not: each image pull is one observation. When
// `keep` is given, only the events it keeps become observations (what a caller would drop
// afterwards is never held: a strata's log may hold millions of pulls).
std::vector<pull_observation> pulls_from_event_log(const storage::event_log& log, std::int64_t since_ns,
                                                   std::int64_t until_ns,
                                                   const std::function<bool(const storage::pull_event&)>& keep = {});

}  // namespace strata::analytics

// sim_trace: a trace of blob requests for `strata simulate`, with its names interned to dense
// ids, built from strata's event log, Kubernetes pull events with manifests, a CSV file or a
// synthetic workload.
#pragma once

#include "analytics/inputs/image_catalog.hpp"
#include "analytics/inputs/k8s_events.hpp"
#include "analytics/inputs/labels.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace strata::storage {
class event_log;
}

namespace strata::analytics {

inline constexpr std::uint32_t no_image = std::numeric_limits<std::uint32_t>::max();

// 32 bytes, so a 2M-request trace is 64 MB.
struct trace_request {
    double time_s = 0;
    std::uint64_t size = 0;
    std::uint32_t node = 0, object = 0;
    std::uint32_t image = no_image;   // the image pull it belongs to, when known (pre-warming)
    std::uint16_t registry = 0;
    bool node_hit = false;            // the kubelet reported the image already present
};

struct trace {
    std::vector<trace_request> requests;  // in time order (stable for equal times)
    std::vector<std::string> nodes, objects, images, registries;
    std::vector<label_set> node_labels;                   // per node, first seen
    std::vector<std::vector<std::uint32_t>> image_objects;  // per image: config and layers
    std::vector<std::uint64_t> object_sizes;              // per object

    // Counts of what could not become requests.
    std::size_t unknown_images = 0;          // pulls of images with no known manifest
    std::vector<std::string> unknown_names;  // the first few of them
    std::size_t bad_lines = 0;               // CSV lines skipped
    std::vector<std::string> errors;         // the first few reasons, with line numbers
};

// Interns names and appends requests; finish() sorts by time.
class trace_builder {
public:
    std::uint32_t node(const std::string& name, const label_set& labels = {});
    std::uint32_t object(const std::string& digest, std::uint64_t size);
    std::uint16_t registry(const std::string& name);
    std::uint32_t image(const std::string& name, const std::vector<std::uint32_t>& objects);
    void add(const trace_request& r) { t_.requests.push_back(r); }
    trace& get() noexcept { return t_; }
    trace finish();

private:
    trace t_;
    std::unordered_map<std::string, std::uint32_t> nodes_, objects_, images_;
    std::unordered_map<std::string, std::uint16_t> registries_;
};

// Blob GETs strata served (2xx), with the node that asked, between since_ns and until_ns.
trace trace_from_event_log(const storage::event_log& log, std::int64_t since_ns, std::int64_t until_ns);
// The same over the logs of several replicas, merged in time order (one node, object and
// registry numbering across them).
trace trace_from_event_logs(const std::vector<const storage::event_log*>& logs, std::int64_t since_ns,
                            std::int64_t until_ns);

// Each kubelet pull becomes its node's requests for the image's config and layers at the
// pull's time; "already present" pulls become node hits. Images are found in the catalog by
// registry/repository:tag or by digest (Docker Hub names normalised); others are counted.
trace trace_from_pulls(const std::vector<pull_observation>& pulls, const image_catalog& images);

// `time,node,digest,size[,registry]` with a header row; time in seconds (decimal) or
// RFC 3339; sizes are 64-bit. Bad lines are skipped and counted with their line numbers.
// Throws std::invalid_argument when the header is missing.
trace trace_from_csv(std::string_view text);

struct synthetic_trace_spec {
    std::size_t images = 500, nodes = 64, jobs = 2000;
    double zipf_exponent = 1.0;   // image popularity
    double duration_s = 7 * 86400;
    double burst_s = 30;          // a job's nodes start pulling within this long
    std::size_t max_nodes_per_job = 32;
    std::uint64_t seed = 1;
};

// Jobs arrive uniformly over the duration; each picks an image by Zipf popularity (images
// from synthetic_images) and 1..max nodes (geometric), which pull config and layers within
// burst_s of the job's start. Same spec, same trace.
trace synthetic_trace(const synthetic_trace_spec& spec);

// "ghcr.io/org/app:v1", "ubuntu" or "org/app@sha256:…" as registry/repository, tag, digest:
// Docker Hub's defaults applied (docker.io, library/, latest).
struct normalised_ref {
    std::string repository;  // with its registry: "docker.io/library/ubuntu"
    std::string tag, digest;
};
normalised_ref normalise_ref(std::string_view ref);

}  // namespace strata::analytics

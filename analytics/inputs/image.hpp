// image: what the analyses know of one image: where it lives, its layers and its build history.
#pragma once

#include "analytics/inputs/labels.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace strata::analytics {

struct layer {
    std::string digest;  // "sha256:…" or "sha512:…", validated by the importer
    std::uint64_t size = 0;
};


// One config history entry; empty_layer entries (ENV, USER, …) made no layer.
struct history_step {
    std::string created_by;
    bool empty_layer = false;
};

struct image {
    std::string registry;    // "ghcr.io", "docker.io"; "file" for a loose manifest file
    std::string repository;  // "converged-computing/metric-lammps-cpu"
    std::string tag;         // may be empty for an image known only by digest
    std::string digest;      // the manifest's digest, when known
    std::string platform;    // "linux/amd64" from the config, when known
    std::optional<std::int64_t> created_s;  // config "created", epoch seconds
    std::optional<std::int64_t> seen_s;     // when a crawl or import saved it (images read back from a data directory)
    layer config;                           // the config blob's descriptor
    std::vector<layer> layers;
    std::vector<history_step> history;      // empty when the config is unknown
    label_set labels;

    std::uint64_t total_bytes() const noexcept;
    // "registry/repository:tag", or "@digest" in place of ":tag" when there is no tag.
    std::string name() const;
    // The history entries that made layers, aligned with layers when their counts agree.
    std::vector<const history_step*> layer_steps() const;
};

}  // namespace strata::analytics

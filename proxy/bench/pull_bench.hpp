// pull_bench: the trials of a pull plan, one after another: set up a strategy, let every node
// pull at once, count what crossed the registry's link.
#pragma once

#include "proxy/bench/node_puller.hpp"
#include "proxy/bench/pull_plan.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace strata::proxy {

struct trial_key {
    std::string registry, image;
    pull_strategy strategy = pull_strategy::direct;
    unsigned nodes = 1, concurrency = 3;
};

struct trial_result {
    trial_key key;
    std::string shape;         // the image's org.strata.bench.shape label, or ""
    std::vector<image_pull> pulls;
    // What the registry sent during the timed pulls: the bytes on the relay's wire (http
    // registries), or for a running strata (--proxy) the body bytes its /metrics count.
    std::optional<std::uint64_t> upstream_bytes;
    std::uint64_t image_bytes = 0;  // one whole pull: manifests, config and layers
    unsigned layers = 0;
    double wall_s = 0;         // first request to last byte, over all nodes
    std::string error;         // the strategy could not be set up
    bench_client client = bench_client::builtin;

    std::size_t failed() const;
};

using bench_progress = std::function<void(const std::string&)>;

// Runs every trial of the plan (registries × images × strategies × nodes × concurrency).
// work_dir holds the strata data directories the bench starts (removed after each trial) and
// extracted files. on_trial is called after each.
void run_pull_bench(const pull_plan& plan, const std::filesystem::path& work_dir, const bench_progress& progress,
                    const std::function<void(const trial_result&)>& on_trial);

}  // namespace strata::proxy

// trace_synthetic: jobs over Zipf-popular synthetic images, each a burst of node pulls.
#include "analytics/simulator/trace.hpp"
#include "analytics/simulator/synthetic_images.hpp"

#include <cmath>
#include <random>

namespace strata::analytics {

trace synthetic_trace(const synthetic_trace_spec& spec) {
    const auto images = synthetic_images({.images = std::max<std::size_t>(spec.images, 1),
                                          .layer_universe = std::max<std::size_t>(spec.images * 20, 1000),
                                          .seed = spec.seed});
    std::mt19937_64 rng(spec.seed ^ 0x5eed);
    std::vector<double> weights(images.size());
    for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 / std::pow(static_cast<double>(i + 1), spec.zipf_exponent);
    std::discrete_distribution<std::size_t> pick_image(weights.begin(), weights.end());
    std::uniform_real_distribution<double> start(0, spec.duration_s), jitter(0, spec.burst_s);
    std::uniform_int_distribution<std::size_t> pick_node(0, std::max<std::size_t>(spec.nodes, 1) - 1);
    std::geometric_distribution<std::size_t> extra_nodes(0.25);
    trace_builder b;
    std::vector<std::vector<std::uint32_t>> objects(images.size());
    for (std::size_t i = 0; i < images.size(); ++i)
        for (const auto& l : images[i].layers) objects[i].push_back(b.object(l.digest, l.size));
    for (std::size_t n = 0; n < spec.nodes; ++n) b.node("node-" + std::to_string(n));
    const auto registry = b.registry("synthetic.test");
    for (std::size_t j = 0; j < spec.jobs; ++j) {
        const auto i = pick_image(rng);
        const auto image = b.image(images[i].name(), objects[i]);
        const double t0 = start(rng);
        const auto count = std::min(1 + extra_nodes(rng), std::min(spec.max_nodes_per_job, spec.nodes));
        for (std::size_t k = 0; k < count; ++k) {
            const auto node = static_cast<std::uint32_t>(pick_node(rng));
            const double t = t0 + jitter(rng);
            for (const auto o : objects[i]) b.add({t, 0, node, o, image, registry, false});
        }
    }
    return b.finish();
}

}  // namespace strata::analytics

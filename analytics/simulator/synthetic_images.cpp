// synthetic_images: quantile sampling, Zipf choice of bases, and layer identities.
#include "analytics/simulator/synthetic_images.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <functional>
#include <string_view>

namespace strata::analytics {
namespace {

// Published: layers per image p25 6, p50 9, p75 14, p90 ~22, p95 ~31, max 163.
const std::vector<std::pair<double, double>> layer_counts = {
    {0, 1}, {0.25, 6}, {0.5, 9}, {0.75, 14}, {0.9, 22}, {0.95, 31}, {1, 163}};
// Published: median 473,568 B, p75 15,568,006, p90 75,411,415, p95 187,662,232, max 9,067,270,962.
// The survey gives no lower quantiles: 32 B (an empty layer) and 20 kB at p25 are assumptions.
const std::vector<std::pair<double, double>> layer_sizes = {
    {0, 32}, {0.25, 20000}, {0.5, 473568}, {0.75, 15568006}, {0.9, 75411415}, {0.95, 187662232}, {1, 9067270962}};

std::string digest_of(std::uint64_t id) {
    char buf[72];
    std::snprintf(buf, sizeof buf, "sha256:%064llx", static_cast<unsigned long long>(id));
    return buf;
}

// Layer sizes keyed by id, so a shared layer has one size everywhere.
std::uint64_t size_of(std::uint64_t id, std::uint64_t seed) {
    std::mt19937_64 rng(id * 0x9E3779B97F4A7C15ull ^ seed);
    return static_cast<std::uint64_t>(quantile_sample(layer_sizes, std::uniform_real_distribution<double>(0, 1)(rng)));
}

std::vector<double> zipf_weights(std::size_t n, double s) {
    std::vector<double> w(n);
    for (std::size_t i = 0; i < n; ++i) w[i] = 1.0 / std::pow(static_cast<double>(i + 1), s);
    return w;
}

// One step per layer, keyed by the layer (a shared layer has one command everywhere).
void add_history(image& img) {
    for (const auto& l : img.layers) {
        const auto id = std::hash<std::string>{}(l.digest);
        std::string step = "/bin/sh -c make -j layer-" + std::to_string(id % 1000);
        if (id % 3 == 0)
            step = "/bin/sh -c apt-get update && apt-get install -y pkg" + std::to_string(id % 97) +
                   (id % 2 == 0 ? " && rm -rf /var/lib/apt/lists/*" : "");
        img.history.push_back({std::move(step), false});
    }
}

constexpr std::string_view empty_layer_digest =
    "sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1";

}  // namespace

double quantile_sample(const std::vector<std::pair<double, double>>& points, double u) {
    u = std::clamp(u, 0.0, 1.0);
    for (std::size_t i = 1; i < points.size(); ++i) {
        const auto& [q0, v0] = points[i - 1];
        const auto& [q1, v1] = points[i];
        if (u > q1) continue;
        const double t = q1 > q0 ? (u - q0) / (q1 - q0) : 0;
        return std::exp(std::log(v0) + t * (std::log(v1) - std::log(v0)));
    }
    return points.back().second;
}

std::vector<image> synthetic_images(const synthetic_spec& spec) {
    std::mt19937_64 rng(spec.seed);
    std::uniform_real_distribution<double> unit(0, 1);
    const auto weights = zipf_weights(std::max<std::size_t>(spec.base_stacks, 1), spec.zipf_exponent);
    std::discrete_distribution<std::size_t> pick_base(weights.begin(), weights.end());
    // Base b owns layer ids [b * 5, b * 5 + length_b); the rest of the universe is drawn from.
    const std::uint64_t base_ids = weights.size() * 5;
    const std::uint64_t universe = std::max<std::uint64_t>(spec.layer_universe, base_ids + 1);
    std::uniform_int_distribution<std::uint64_t> pick_layer(base_ids, universe - 1);
    std::vector<image> out;
    out.reserve(spec.images);
    for (std::size_t i = 0; i < spec.images; ++i) {
        image img{.registry = "synthetic.test", .repository = "img" + std::to_string(i), .tag = "v1",
                  .platform = "linux/amd64"};
        if (spec.repositories > 0) {
            img.repository = "repo" + std::to_string(i % spec.repositories);
            img.tag = "v" + std::to_string(i / spec.repositories);
            img.created_s = 1'500'000'000 + static_cast<std::int64_t>(i / spec.repositories) * 86'400;
        }
        const auto count = static_cast<std::size_t>(std::lround(quantile_sample(layer_counts, unit(rng))));
        const auto base = pick_base(rng);
        const auto base_length = std::min<std::size_t>(1 + base % 5, count);
        for (std::size_t k = 0; k < base_length; ++k) img.layers.push_back({digest_of(base * 5 + k), 0});
        while (img.layers.size() < count) img.layers.push_back({digest_of(pick_layer(rng)), 0});
        for (auto& l : img.layers) l.size = size_of(std::stoull(l.digest.substr(7), nullptr, 16), spec.seed);
        if (spec.empty_layer_share > 0 && unit(rng) < spec.empty_layer_share) {
            const auto at = base_length + static_cast<std::size_t>(unit(rng) * static_cast<double>(count - base_length));
            img.layers.insert(img.layers.begin() + static_cast<std::ptrdiff_t>(std::min(at, img.layers.size())),
                              {std::string(empty_layer_digest), 32});
        }
        if (spec.with_history) add_history(img);
        out.push_back(std::move(img));
    }
    return out;
}

}  // namespace strata::analytics

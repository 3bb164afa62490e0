// similarity_bench: Jaccard similarity (both bases) and average-linkage clustering of seeded
// synthetic images, timed, with peak RSS. Run by bench/analytics_bench.py.
#include "analytics/analyses/image_similarity.hpp"
#include "analytics/simulator/synthetic_images.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_set>

using namespace strata::analytics;

int main(int argc, char** argv) {
    synthetic_spec spec;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const auto value = std::strtoull(argv[i + 1], nullptr, 10);
        if (flag == "--images") spec.images = value;
        else if (flag == "--layers") spec.layer_universe = value;
        else if (flag == "--seed") spec.seed = value;
        else return std::fprintf(stderr, "usage: %s [--images N] [--layers N] [--seed N]\n", argv[0]), 2;
    }
    const auto images = synthetic_images(spec);
    std::unordered_set<std::string> distinct;
    std::size_t refs = 0;
    for (const auto& img : images) {
        refs += img.layers.size();
        for (const auto& l : img.layers) distinct.insert(l.digest);
    }
    const auto start = std::chrono::steady_clock::now();
    const auto result = image_similarity(images);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::size_t clusters = 0;
    for (const auto c : result.clusters) clusters = std::max(clusters, c);
    std::printf("{\"images\": %zu, \"layer_universe\": %zu, \"distinct_layers\": %zu, \"layer_references\": %zu, "
                "\"mean_jaccard\": %.5f, \"clusters\": %zu, \"seconds\": %.3f, \"peak_rss_bytes\": %ld}\n",
                images.size(), spec.layer_universe, distinct.size(), refs, result.mean_by_digest, clusters, seconds,
                usage.ru_maxrss * 1024L);
    return 0;
}

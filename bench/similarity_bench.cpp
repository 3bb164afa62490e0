// similarity_bench: analyses of seeded synthetic images, timed, with peak RSS: similarity and
// clustering by the dense method (both Jaccard matrices, average linkage) or the top-k method
// (neighbours through an inverted index, average linkage on that graph), or the summary
// analyses (sizes, trends, reuse, hygiene); or, with --method save --data-dir DIR, saves the
// images into DIR's index for `strata analyze … --data-dir DIR` to read back. Run by
// bench/analytics_bench.py.
#include "analytics/analyses/dockerfile_hygiene.hpp"
#include "analytics/analyses/image_neighbours.hpp"
#include "analytics/analyses/image_similarity.hpp"
#include "analytics/analyses/image_sizes.hpp"
#include "analytics/analyses/layer_reuse.hpp"
#include "analytics/inputs/saved_images.hpp"
#include "analytics/simulator/synthetic_images.hpp"
#include "storage/index/metadata_index.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_set>

using namespace strata::analytics;

namespace {

struct bench_args {
    synthetic_spec spec;
    std::string method = "dense";
    std::size_t k = 20;
    std::string data_dir;
};

int usage(const char* self) {
    std::fprintf(stderr,
                 "usage: %s [--images N] [--layers N] [--seed N] [--empty-layer-percent P] [--repositories N] "
                 "[--method dense|topk|summary|save] [--k N] [--data-dir DIR]\n",
                 self);
    return 2;
}

long peak_rss_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss * 1024L;
}

}  // namespace

int main(int argc, char** argv) {
    bench_args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i], text = argv[i + 1];
        const auto value = std::strtoull(text.c_str(), nullptr, 10);
        if (flag == "--images") a.spec.images = value;
        else if (flag == "--layers") a.spec.layer_universe = value;
        else if (flag == "--seed") a.spec.seed = value;
        else if (flag == "--empty-layer-percent") a.spec.empty_layer_share = static_cast<double>(value) / 100;
        else if (flag == "--repositories") a.spec.repositories = value;
        else if (flag == "--method" && (text == "dense" || text == "topk" || text == "summary" || text == "save"))
            a.method = text;
        else if (flag == "--data-dir") a.data_dir = text;
        else if (flag == "--k") a.k = value;
        else return usage(argv[0]);
    }
    if ((a.method == "save") != !a.data_dir.empty()) return usage(argv[0]);
    a.spec.with_history = a.method == "summary" || a.method == "save";
    const auto images = synthetic_images(a.spec);
    std::unordered_set<std::string> distinct;
    std::size_t refs = 0;
    for (const auto& img : images) {
        refs += img.layers.size();
        for (const auto& l : img.layers) distinct.insert(l.digest);
    }
    const auto start = std::chrono::steady_clock::now();
    std::size_t clusters = 0, verified = 0;
    double mean = -1;
    if (a.method == "dense") {
        const auto result = image_similarity(images);
        for (const auto c : result.clusters) clusters = std::max(clusters, c);
        mean = result.mean_by_digest;
    } else if (a.method == "topk") {
        const auto result = image_neighbours(images, similarity_basis::digest, a.k, 0.5f);
        clusters = result.clusters.clusters;
        verified = result.top.verified_pairs;
    } else if (a.method == "save") {
        strata::storage::metadata_index index(std::string(a.data_dir) + "/index");
        save_images(index, images, 0);
    } else {
        const auto sizes = size_groups(images, {"registry"});
        const auto trends = repository_trends(images);
        const auto reuse = layer_reuse(images);
        const auto hygiene = dockerfile_hygiene(images);
        std::fprintf(stderr, "sizes: %zu groups; trends: %zu repositories; reuse: %zu unique layers, dedup %.2fx; "
                             "hygiene: %zu installs, %zu uncleaned\n",
                     sizes.size(), trends.size(), reuse.unique_layers, reuse.dedup_ratio, hygiene.install_steps,
                     hygiene.uncleaned_install_steps);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("{\"method\": \"%s\", \"images\": %zu, \"layer_universe\": %zu, \"distinct_layers\": %zu, "
                "\"layer_references\": %zu, \"mean_jaccard\": %.5f, \"clusters\": %zu, \"verified_pairs\": %zu, "
                "\"seconds\": %.3f, \"peak_rss_bytes\": %ld}\n",
                a.method.c_str(), images.size(), a.spec.layer_universe, distinct.size(), refs, mean, clusters, verified,
                seconds, peak_rss_bytes());
    return 0;
}

// layer_reuse: one pass over every image's layers, counting images and repositories per digest.
#include "analytics/analyses/layer_reuse.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace strata::analytics {
namespace {

struct usage {
    std::uint64_t size = 0;
    std::size_t images = 0;
    std::unordered_set<std::string> repositories;
    const image* example = nullptr;
};

}  // namespace

reuse_summary layer_reuse(const std::vector<image>& images, std::size_t top_n) {
    reuse_summary r;
    r.images = images.size();
    std::unordered_map<std::string_view, usage> layers;
    for (const auto& img : images) {
        std::unordered_set<std::string_view> in_image;
        const auto repo = img.registry + '/' + img.repository;
        for (const auto& l : img.layers) {
            r.referenced_bytes += l.size;
            ++r.layer_references;
            auto& u = layers[l.digest];
            u.size = l.size;
            u.repositories.insert(repo);
            if (!u.example) u.example = &img;
            if (in_image.insert(l.digest).second) ++u.images;
        }
    }
    r.unique_layers = layers.size();
    const std::pair<const char*, std::size_t> thresholds[] = {{">1", 1}, {">2", 2}, {">50", 50}, {">100", 100}};
    r.buckets.push_back({"1", 0, 0});
    for (const auto& [name, _] : thresholds) r.buckets.push_back({name, 0, 0});
    std::vector<shared_layer> all;
    for (const auto& [digest, u] : layers) {
        r.unique_bytes += u.size;
        if (u.images == 1) r.buckets[0].layers++, r.buckets[0].bytes += u.size;
        for (std::size_t b = 0; b < std::size(thresholds); ++b)
            if (u.images > thresholds[b].second) r.buckets[b + 1].layers++, r.buckets[b + 1].bytes += u.size;
        all.push_back({std::string(digest), u.size, u.images, u.repositories.size(), u.example->name()});
    }
    r.bytes_saved = r.referenced_bytes - r.unique_bytes;
    r.dedup_ratio = r.unique_bytes ? static_cast<double>(r.referenced_bytes) / static_cast<double>(r.unique_bytes) : 1;
    const auto n = std::min(top_n, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(), [](const auto& a, const auto& b) {
        if (a.images != b.images) return a.images > b.images;
        if (a.size != b.size) return a.size > b.size;
        return a.digest < b.digest;
    });
    all.resize(n);
    r.top = std::move(all);
    return r;
}

}  // namespace strata::analytics

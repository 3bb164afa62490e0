// layer_reuse: one pass over every image's layers, counting images and repositories per digest.
#include "analytics/analyses/layer_reuse.hpp"

#include <algorithm>
#include <unordered_set>

namespace strata::analytics {

void layer_reuse_builder::add(const image& img) {
    ++totals_.images;
    const auto repo = repository_ids_.try_emplace(img.registry + '/' + img.repository,
                                                  static_cast<std::uint32_t>(repository_ids_.size())).first->second;
    std::unordered_set<std::string_view> in_image;
    for (const auto& l : img.layers) {
        totals_.referenced_bytes += l.size;
        ++totals_.layer_references;
        auto [it, added] = layers_.try_emplace(l.digest);
        auto& u = it->second;
        u.size = l.size;
        if (added) u.example = img.name();
        const auto at = std::lower_bound(u.repositories.begin(), u.repositories.end(), repo);
        if (at == u.repositories.end() || *at != repo) u.repositories.insert(at, repo);
        if (in_image.insert(l.digest).second) ++u.images;
    }
}

reuse_summary layer_reuse_builder::finish(std::size_t top_n) && {
    auto r = std::move(totals_);
    r.unique_layers = layers_.size();
    const std::pair<const char*, std::size_t> thresholds[] = {{">1", 1}, {">2", 2}, {">50", 50}, {">100", 100}};
    r.buckets.push_back({"1", 0, 0});
    for (const auto& [name, _] : thresholds) r.buckets.push_back({name, 0, 0});
    std::vector<shared_layer> all;
    for (auto& [digest, u] : layers_) {
        r.unique_bytes += u.size;
        if (u.images == 1) r.buckets[0].layers++, r.buckets[0].bytes += u.size;
        for (std::size_t b = 0; b < std::size(thresholds); ++b)
            if (u.images > thresholds[b].second) r.buckets[b + 1].layers++, r.buckets[b + 1].bytes += u.size;
        all.push_back({digest, u.size, u.images, u.repositories.size(), std::move(u.example)});
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

reuse_summary layer_reuse(const std::vector<image>& images, std::size_t top_n) {
    layer_reuse_builder builder;
    for (const auto& img : images) builder.add(img);
    return std::move(builder).finish(top_n);
}

}  // namespace strata::analytics

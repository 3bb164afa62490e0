// image: totals and names derived from an image's layers and history.
#include "analytics/inputs/image.hpp"

namespace strata::analytics {

std::uint64_t image::total_bytes() const noexcept {
    std::uint64_t total = 0;
    for (const auto& l : layers)  // sizes come from manifests: saturate rather than wrap
        if (__builtin_add_overflow(total, l.size, &total)) return UINT64_MAX;
    return total;
}

std::string image::name() const {
    const auto base = registry + '/' + repository;
    if (!tag.empty()) return base + ':' + tag;
    return digest.empty() ? base : base + '@' + digest;
}

std::vector<const history_step*> image::layer_steps() const {
    std::vector<const history_step*> steps;
    for (const auto& h : history)
        if (!h.empty_layer) steps.push_back(&h);
    return steps;
}

}  // namespace strata::analytics

// corpus_shapes: nearest-rank percentiles, splitmix64 draws, shapes written as SIZE:LAYERS.
#include "proxy/bench/corpus_shapes.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace strata::proxy {
namespace {

std::vector<corpus_image> with_layers(std::vector<corpus_image> corpus) {
    std::erase_if(corpus, [](const corpus_image& i) { return i.layers == 0 || i.bytes == 0; });
    if (corpus.empty()) throw std::invalid_argument("the corpus has no image with layers");
    return corpus;
}

template <class T>
T nearest_rank(std::vector<T> v, double q) {
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

// Each layer's share of the image's bytes, when its layer sizes are known, add up (without
// overflow: they come from manifests) to more than 0, and it has `layers`.
std::vector<double> shares_of(const corpus_image& i, unsigned layers) {
    if (i.layer_bytes.size() != layers) return {};
    std::uint64_t total = 0;
    for (const auto b : i.layer_bytes)
        if (__builtin_add_overflow(total, b, &total)) return {};
    if (total == 0) return {};
    std::vector<double> out;
    for (const auto b : i.layer_bytes) out.push_back(static_cast<double>(b) / static_cast<double>(total));
    return out;
}

// A shape the generator can make: 1 to 1000 layers of at least 1 KiB, written in whole kB or MB,
// with the profile's layer sizes when it has one share per layer.
image_shape shape_of(std::uint64_t bytes, unsigned layers, std::vector<double> profile) {
    layers = std::clamp(layers, 1u, max_shape_layers);
    bytes = std::clamp<std::uint64_t>(bytes, std::uint64_t{layers} * min_layer_bytes, max_shape_bytes);
    const bool megabytes = bytes >= 10'000'000;
    const auto units = megabytes ? (bytes + 500'000) / 1'000'000 : (bytes + 500) / 1000;
    image_shape s;
    s.bytes = units * (megabytes ? 1'000'000 : 1000);
    s.bytes = std::max<std::uint64_t>(s.bytes, std::uint64_t{layers} * min_layer_bytes);
    s.layers = layers;
    s.text = std::to_string(units) + (megabytes ? "MB:" : "kB:") + std::to_string(layers);
    if (profile.size() == layers) s.layer_shares = std::move(profile);
    return s;
}

void add_once(std::vector<image_shape>& shapes, image_shape s) {
    const auto same = [&](const image_shape& o) { return o.text == s.text; };
    if (std::none_of(shapes.begin(), shapes.end(), same)) shapes.push_back(std::move(s));
}

}  // namespace

std::vector<image_shape> typical_shapes(std::vector<corpus_image> corpus) {
    corpus = with_layers(std::move(corpus));
    std::vector<std::uint64_t> sizes;
    std::vector<unsigned> layers;
    for (const auto& i : corpus) sizes.push_back(i.bytes), layers.push_back(i.layers);
    std::vector<image_shape> out;
    for (const double q : {0.5, 0.9}) {
        const auto bytes = nearest_rank(sizes, q);
        const auto count = nearest_rank(layers, q);  // some image has this many layers
        const corpus_image* nearest = nullptr;
        const auto distance = [bytes](const corpus_image& i) { return i.bytes > bytes ? i.bytes - bytes : bytes - i.bytes; };
        for (const auto& i : corpus)
            if (i.layers == count && (!nearest || distance(i) < distance(*nearest))) nearest = &i;
        add_once(out, shape_of(bytes, count, shares_of(*nearest, count)));
    }
    return out;
}

std::vector<image_shape> sampled_shapes(const std::vector<corpus_image>& corpus, std::size_t n, std::uint64_t seed) {
    const auto images = with_layers(corpus);
    std::vector<image_shape> out;
    std::uint64_t state = seed;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        const auto& pick = images[(z ^ (z >> 31)) % images.size()];
        add_once(out, shape_of(pick.bytes, pick.layers, shares_of(pick, pick.layers)));
    }
    return out;
}

}  // namespace strata::proxy

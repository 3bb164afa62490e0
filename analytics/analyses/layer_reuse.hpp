// layer_reuse: how many images and repositories share each layer, and what sharing saves.
#pragma once

#include "analytics/inputs/image.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace strata::analytics {

struct shared_layer {
    std::string digest;
    std::uint64_t size = 0;
    std::size_t images = 0, repositories = 0;
    std::string example;  // an image that uses it
};

struct reuse_bucket {
    std::string name;     // "1", ">1", ">2", ">50", ">100": layers used by that many images
    std::size_t layers = 0;
    std::uint64_t bytes = 0;  // their sizes, each layer once
};

struct reuse_summary {
    std::size_t images = 0, layer_references = 0, unique_layers = 0;
    std::uint64_t referenced_bytes = 0;  // sum of every image's layers: what pulling each costs
    std::uint64_t unique_bytes = 0;      // each distinct layer once: what a shared store holds
    std::uint64_t bytes_saved = 0;       // referenced - unique
    double dedup_ratio = 0;              // referenced / unique (1 = nothing shared)
    std::vector<reuse_bucket> buckets;
    std::vector<shared_layer> top;       // most-used layers, then biggest
};

// A layer listed twice in one image counts once for that image. top_n bounds the top list.
reuse_summary layer_reuse(const std::vector<image>& images, std::size_t top_n = 20);

// The same, fed one image at a time: it keeps one entry per distinct layer (its size, image
// count, repositories as numbers and one example's name), not the images.
class layer_reuse_builder {
public:
    void add(const image& img);
    reuse_summary finish(std::size_t top_n = 20) &&;

private:
    struct usage {
        std::uint64_t size = 0;
        std::size_t images = 0;
        std::vector<std::uint32_t> repositories;  // sorted ids
        std::string example;
    };
    reuse_summary totals_;
    std::unordered_map<std::string, usage> layers_;
    std::unordered_map<std::string, std::uint32_t> repository_ids_;
};

}  // namespace strata::analytics

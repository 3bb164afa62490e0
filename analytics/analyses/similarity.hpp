// similarity: pairwise Jaccard similarity of images' layer sets, by digest or by build step.
#pragma once

#include "analytics/inputs/image.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analytics {

// Each image's set of ids (sorted, distinct), ids dense in [0, universe).
struct id_sets {
    std::vector<std::vector<std::uint32_t>> sets;
    std::size_t universe = 0;
};

// Layer digests per image.
id_sets layer_digest_sets(const std::vector<image>& images);

// A build step's command with the noise removed: the "/bin/sh -c", "#(nop)" and "# buildkit"
// wrappers, and runs of whitespace.
std::string normalise_created_by(std::string_view created_by);

// Layer *content* identity per image: the normalised commands of the history entries that
// made layers. Two images that ran the same step over different base layers share it here
// even though the layer digests differ. Images without history have empty sets.
id_sets layer_content_sets(const std::vector<image>& images);

// A symmetric n×n matrix with a fixed diagonal, stored as its upper triangle (i < j) row by
// row, as SciPy's condensed distance matrices.
class condensed_matrix {
public:
    explicit condensed_matrix(std::size_t n = 0) : n_(n), values_(n < 2 ? 0 : n * (n - 1) / 2) {}

    std::size_t size() const noexcept { return n_; }
    static std::size_t index(std::size_t n, std::size_t i, std::size_t j) noexcept {
        if (i > j) std::swap(i, j);
        return n * i - i * (i + 1) / 2 + (j - i - 1);
    }
    float at(std::size_t i, std::size_t j) const noexcept { return values_[index(n_, i, j)]; }
    float& at(std::size_t i, std::size_t j) noexcept { return values_[index(n_, i, j)]; }
    std::vector<float>& values() noexcept { return values_; }
    const std::vector<float>& values() const noexcept { return values_; }

private:
    std::size_t n_;
    std::vector<float> values_;
};

// |A ∩ B| / |A ∪ B| for every pair, from sparse incidence-matrix products (Eigen) computed a
// block of rows at a time, so memory stays near the result's size. Two empty sets score 0.
condensed_matrix jaccard_similarity(const id_sets& sets);

}  // namespace strata::analytics

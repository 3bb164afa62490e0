// similarity: interning ids, normalising build steps, and the blocked sparse product.
#include "analytics/analyses/similarity.hpp"

#include <Eigen/SparseCore>

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace strata::analytics {
namespace {

using sparse_rows = Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t>;
using sparse_cols = Eigen::SparseMatrix<float, Eigen::ColMajor, std::int64_t>;

constexpr std::size_t rows_per_block = 512;

class interner {
public:
    std::uint32_t id(std::string_view key) {
        const auto [it, added] = ids_.try_emplace(std::string(key), static_cast<std::uint32_t>(ids_.size()));
        return it->second;
    }
    std::size_t size() const noexcept { return ids_.size(); }

private:
    std::unordered_map<std::string, std::uint32_t> ids_;
};

void sort_unique(std::vector<std::uint32_t>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

std::string_view strip_prefix(std::string_view s, std::string_view prefix) {
    return s.starts_with(prefix) ? s.substr(prefix.size()) : s;
}

sparse_rows incidence(const id_sets& sets) {
    std::vector<Eigen::Triplet<float, std::int64_t>> ones;
    for (std::size_t i = 0; i < sets.sets.size(); ++i)
        for (const auto id : sets.sets[i]) ones.emplace_back(static_cast<std::int64_t>(i), id, 1.0f);
    sparse_rows m(static_cast<std::int64_t>(sets.sets.size()), static_cast<std::int64_t>(sets.universe));
    m.setFromTriplets(ones.begin(), ones.end());
    return m;
}

}  // namespace

id_sets layer_digest_sets(const std::vector<image>& images) {
    interner ids;
    id_sets out;
    for (const auto& img : images) {
        auto& set = out.sets.emplace_back();
        for (const auto& l : img.layers) set.push_back(ids.id(l.digest));
        sort_unique(set);
    }
    out.universe = ids.size();
    return out;
}

std::string normalise_created_by(std::string_view s) {
    s = strip_prefix(s, "|");  // buildkit's "|2 ARG=… /bin/sh -c": the arg count varies by layer
    if (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front()))) {
        const auto space = s.find(' ');
        s = space == std::string_view::npos ? std::string_view() : s.substr(space + 1);
    }
    std::string out;
    bool space = false;
    for (const char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    std::string_view v = out;
    if (v.ends_with("# buildkit")) v.remove_suffix(10);
    while (v.ends_with(' ')) v.remove_suffix(1);
    v = strip_prefix(v, "RUN ");
    v = strip_prefix(v, "/bin/sh -c ");
    v = strip_prefix(v, "#(nop) ");
    return std::string(v);
}

id_sets layer_content_sets(const std::vector<image>& images) {
    interner ids;
    id_sets out;
    for (const auto& img : images) {
        auto& set = out.sets.emplace_back();
        for (const auto* step : img.layer_steps()) set.push_back(ids.id(normalise_created_by(step->created_by)));
        sort_unique(set);
    }
    out.universe = ids.size();
    return out;
}

condensed_matrix jaccard_similarity(const id_sets& sets) {
    const auto n = sets.sets.size();
    condensed_matrix result(n);
    if (n < 2) return result;
    const sparse_rows a = incidence(sets);
    const sparse_cols at = a.transpose();
    for (std::size_t first = 0; first < n; first += rows_per_block) {
        const auto rows = std::min(rows_per_block, n - first);
        const sparse_rows block = a.middleRows(static_cast<std::int64_t>(first), static_cast<std::int64_t>(rows));
        const sparse_rows shared = block * at;  // |A ∩ B| for this block's rows against all
        for (std::int64_t r = 0; r < shared.outerSize(); ++r) {
            const auto i = first + static_cast<std::size_t>(r);
            for (sparse_rows::InnerIterator it(shared, r); it; ++it) {
                const auto j = static_cast<std::size_t>(it.col());
                if (j <= i) continue;
                const auto inter = it.value();
                const auto uni = static_cast<float>(sets.sets[i].size() + sets.sets[j].size()) - inter;
                result.at(i, j) = uni > 0 ? inter / uni : 0.0f;
            }
        }
    }
    return result;
}

}  // namespace strata::analytics

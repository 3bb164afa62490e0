// top_k_similarity: inverted index, rarest-first candidate generation with Jaccard bounds,
// a bounded heap per image, exact rational comparisons.
#include "analytics/analyses/top_k_similarity.hpp"

#include <algorithm>
#include <numeric>

namespace strata::analytics {
namespace {

// a/b against c/d without rounding (all values fit in 32 bits, products in 64).
int compare_ratio(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
    const auto left = a * d, right = c * b;
    return left < right ? -1 : left > right ? 1 : 0;
}

// Better: higher similarity, then lower index.
bool better(const neighbour& x, const neighbour& y) {
    const int c = compare_ratio(x.shared, x.united, y.shared, y.united);
    return c != 0 ? c > 0 : x.image < y.image;
}

std::uint32_t intersection(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    std::uint32_t n = 0;
    for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
        if (a[i] < b[j]) ++i;
        else if (b[j] < a[i]) ++j;
        else ++n, ++i, ++j;
    }
    return n;
}

// The k best seen so far, worst on top of a heap.
class best_k {
public:
    explicit best_k(std::size_t k) : k_(k) {}

    bool full() const noexcept { return heap_.size() >= k_; }
    const neighbour& worst() const noexcept { return heap_.front(); }

    void offer(const neighbour& n) {
        if (!full()) {
            heap_.push_back(n);
            std::push_heap(heap_.begin(), heap_.end(), better);
        } else if (better(n, worst())) {
            std::pop_heap(heap_.begin(), heap_.end(), better);
            heap_.back() = n;
            std::push_heap(heap_.begin(), heap_.end(), better);
        }
    }

    std::vector<neighbour> sorted() {
        std::sort(heap_.begin(), heap_.end(), better);
        return std::move(heap_);
    }

private:
    std::size_t k_;
    std::vector<neighbour> heap_;
};

class searcher {
public:
    searcher(const id_sets& sets, std::size_t k) : sets_(sets), k_(k), stamp_(sets.sets.size(), 0) { index(); }

    std::vector<neighbour> neighbours_of(std::uint32_t i, std::uint64_t& verified) {
        const auto& mine = sets_.sets[i];
        best_k best(k_);
        std::vector<std::uint32_t> ids(mine.begin(), mine.end());
        std::stable_sort(ids.begin(), ids.end(), [&](auto a, auto b) { return postings_[a].size() < postings_[b].size(); });
        for (std::size_t p = 0; p < ids.size(); ++p) {
            const std::uint64_t remaining = ids.size() - p;
            // No image outside the ones seen can share more than the remaining ids.
            if (best.full() && compare_ratio(remaining, mine.size(), best.worst().shared, best.worst().united) < 0) break;
            scan(i, ids[p], remaining, best, verified);
        }
        return best.sorted();
    }

private:
    void index() {
        postings_.resize(sets_.universe);
        for (std::uint32_t i = 0; i < sets_.sets.size(); ++i)
            for (const auto id : sets_.sets[i]) postings_[id].push_back(i);
        for (auto& list : postings_)
            std::stable_sort(list.begin(), list.end(),
                             [&](auto a, auto b) { return sets_.sets[a].size() < sets_.sets[b].size(); });
    }

    // Candidates from one posting list, smallest sets first: once a candidate as big as the
    // remaining ids cannot beat the k-th best (or only tie it from a higher index), no later one can.
    void scan(std::uint32_t i, std::uint32_t id, std::uint64_t remaining, best_k& best, std::uint64_t& verified) {
        const auto& mine = sets_.sets[i];
        for (const auto j : postings_[id]) {
            if (j == i || stamp_[j] == i + 1) continue;
            const std::uint64_t size = sets_.sets[j].size();
            if (best.full() && size >= remaining) {
                const int c = compare_ratio(remaining, mine.size() + size - remaining, best.worst().shared,
                                            best.worst().united);
                if (c < 0 || (c == 0 && j > best.worst().image)) return;
            }
            stamp_[j] = i + 1;
            ++verified;
            const auto shared = intersection(mine, sets_.sets[j]);
            best.offer({j, shared, static_cast<std::uint32_t>(mine.size() + size - shared)});
        }
    }

    const id_sets& sets_;
    std::size_t k_;
    std::vector<std::vector<std::uint32_t>> postings_;
    std::vector<std::uint32_t> stamp_;  // i + 1 when image j was verified for image i
};

}  // namespace

top_k_result top_k_jaccard(const id_sets& sets, std::size_t k) {
    top_k_result out;
    out.k = k;
    out.of.resize(sets.sets.size());
    if (k == 0) return out;
    searcher s(sets, k);
    for (std::uint32_t i = 0; i < sets.sets.size(); ++i) out.of[i] = s.neighbours_of(i, out.verified_pairs);
    return out;
}

}  // namespace strata::analytics

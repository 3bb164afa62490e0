// GDSF (Greedy-Dual-Size-Frequency, Cherkasova '98): priority = L + frequency / size with
// cost 1; evicts the lowest priority and raises L to it, so objects left untouched age out.
// Small, frequently used objects (manifests, configs) outlive big layers requested once.
#include "storage/eviction/eviction_policies.hpp"
#include "storage/eviction/id_heap.hpp"

#include <algorithm>

namespace strata::storage {
namespace {

class gdsf_policy final : public eviction_policy {
public:
    void on_insert(object_id id, std::uint64_t size) override {
        size_[id] = std::max<std::uint64_t>(size, 1);
        frequency_[id] = 1;
        place(id);
    }
    void on_access(object_id id) override { bump(id, 1); }
    void on_restore_access(object_id id, std::uint64_t hits) override { bump(id, hits); }
    std::optional<object_id> pick_victim() override {
        if (order_.empty()) return std::nullopt;
        inflation_ = order_.top_key().priority;
        return order_.pop();
    }
    void erase(object_id id) override { order_.erase(id); }
    void reserve(std::size_t count) override {
        order_.reserve(count);
        size_.reserve(count);
        frequency_.reserve(count);
    }
    std::size_t size() const override { return order_.size(); }

private:
    void place(object_id id) {
        const double priority = inflation_ + static_cast<double>(frequency_[id]) / static_cast<double>(size_[id]);
        order_.set(id, {priority, ++tick_});
    }
    void bump(object_id id, std::uint64_t by) {
        if (!order_.contains(id)) return;
        frequency_[id] += by;
        place(id);
    }

    double inflation_ = 0;  // L
    std::uint64_t tick_ = 0;
    id_array<std::uint64_t> size_, frequency_;
    id_heap<priority_key<double>> order_;
};

}  // namespace

std::unique_ptr<eviction_policy> make_gdsf_policy() { return std::make_unique<gdsf_policy>(); }

}  // namespace strata::storage

// GDSF (Greedy-Dual-Size-Frequency, Cherkasova '98): priority = L + frequency / size with
// cost 1; evicts the lowest priority and raises L to it, so objects left untouched age out.
// Small, frequently used objects (manifests, configs) outlive big layers requested once.
#include "storage/eviction_policies.hpp"

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>

namespace strata::storage {
namespace {

class gdsf_policy final : public eviction_policy {
public:
    void on_insert(object_id id, std::uint64_t size) override { place(id, std::max<std::uint64_t>(size, 1), 1); }
    void on_access(object_id id) override { bump(id, 1); }
    void on_restore_access(object_id id, std::uint64_t hits) override { bump(id, hits); }
    std::optional<object_id> pick_victim() override {
        if (order_.empty()) return std::nullopt;
        const auto [priority, tick, victim] = *order_.begin();
        inflation_ = priority;
        erase(victim);
        return victim;
    }
    void erase(object_id id) override {
        const auto it = state_.find(id);
        if (it == state_.end()) return;
        order_.erase({it->second.priority, it->second.tick, id});
        state_.erase(it);
    }
    std::size_t size() const override { return state_.size(); }

private:
    struct state {
        std::uint64_t size, frequency;
        double priority;
        std::uint64_t tick;
    };
    void place(object_id id, std::uint64_t size, std::uint64_t frequency) {
        const double priority = inflation_ + static_cast<double>(frequency) / static_cast<double>(size);
        state_[id] = {size, frequency, priority, ++tick_};
        order_.insert({priority, tick_, id});
    }
    void bump(object_id id, std::uint64_t by) {
        const auto it = state_.find(id);
        if (it == state_.end()) return;
        const auto s = it->second;
        erase(id);
        place(id, s.size, s.frequency + by);
    }

    double inflation_ = 0;  // L
    std::uint64_t tick_ = 0;
    std::unordered_map<object_id, state> state_;
    std::set<std::tuple<double, std::uint64_t, object_id>> order_;  // (priority, tick, id)
};

}  // namespace

std::unique_ptr<eviction_policy> make_gdsf_policy() { return std::make_unique<gdsf_policy>(); }

}  // namespace strata::storage

// LFU: evicts the object with the fewest accesses (an insert counts as one); among equals the
// least recently used.
#include "storage/eviction_policies.hpp"

#include <set>
#include <tuple>
#include <unordered_map>

namespace strata::storage {
namespace {

class lfu_policy final : public eviction_policy {
public:
    void on_insert(object_id id, std::uint64_t) override { place(id, 1); }
    void on_access(object_id id) override { bump(id, 1); }
    void on_restore_access(object_id id, std::uint64_t hits) override { bump(id, hits); }
    std::optional<object_id> pick_victim() override {
        if (order_.empty()) return std::nullopt;
        const auto victim = std::get<2>(*order_.begin());
        erase(victim);
        return victim;
    }
    void erase(object_id id) override {
        const auto it = state_.find(id);
        if (it == state_.end()) return;
        order_.erase({it->second.frequency, it->second.tick, id});
        state_.erase(it);
    }
    std::size_t size() const override { return state_.size(); }

private:
    struct state {
        std::uint64_t frequency, tick;
    };
    void place(object_id id, std::uint64_t frequency) {
        state_[id] = {frequency, ++tick_};
        order_.insert({frequency, tick_, id});
    }
    void bump(object_id id, std::uint64_t by) {
        const auto it = state_.find(id);
        if (it == state_.end()) return;
        const auto frequency = it->second.frequency + by;
        erase(id);
        place(id, frequency);
    }

    std::uint64_t tick_ = 0;
    std::unordered_map<object_id, state> state_;
    std::set<std::tuple<std::uint64_t, std::uint64_t, object_id>> order_;  // (frequency, tick, id)
};

}  // namespace

std::unique_ptr<eviction_policy> make_lfu_policy() { return std::make_unique<lfu_policy>(); }

}  // namespace strata::storage

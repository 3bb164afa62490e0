// LFU: evicts the object with the fewest accesses (an insert counts as one); among equals the
// least recently used.
#include "storage/eviction/eviction_policies.hpp"
#include "storage/eviction/id_heap.hpp"


namespace strata::storage {
namespace {

class lfu_policy final : public eviction_policy {
public:
    void on_insert(object_id id, std::uint64_t) override { order_.set(id, {1, ++tick_}); }
    void on_access(object_id id) override { bump(id, 1); }
    void on_restore_access(object_id id, std::uint64_t hits) override { bump(id, hits); }
    std::optional<object_id> pick_victim() override {
        if (order_.empty()) return std::nullopt;
        return order_.pop();
    }
    void erase(object_id id) override { order_.erase(id); }
    void reserve(std::size_t count) override { order_.reserve(count); }
    std::size_t size() const override { return order_.size(); }

private:
    void bump(object_id id, std::uint64_t by) {
        if (order_.contains(id)) order_.set(id, {order_.key(id).priority + by, ++tick_});
    }

    std::uint64_t tick_ = 0;
    id_heap<priority_key<std::uint64_t>> order_;  // priority: the access count
};

}  // namespace

std::unique_ptr<eviction_policy> make_lfu_policy() { return std::make_unique<lfu_policy>(); }

}  // namespace strata::storage

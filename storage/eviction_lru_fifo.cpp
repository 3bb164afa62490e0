// LRU and FIFO: one queue, newest at the front; LRU moves an object to the front on access.
#include "storage/eviction_policies.hpp"
#include "storage/keyed_list.hpp"

namespace strata::storage {
namespace {

template <bool MoveOnAccess>
class queue_policy final : public eviction_policy {
public:
    void on_insert(object_id id, std::uint64_t) override { queue_.push_front({id}); }
    void on_access(object_id id) override {
        if constexpr (MoveOnAccess) {
            const auto it = queue_.find_iterator(id);
            if (it != queue_.end()) queue_.move_to_front(it);
        }
    }
    std::optional<object_id> pick_victim() override {
        if (queue_.empty()) return std::nullopt;
        return queue_.pop_back().id;
    }
    void erase(object_id id) override { queue_.erase(id); }
    std::size_t size() const override { return queue_.size(); }

private:
    struct entry {
        object_id id;
    };
    keyed_list<entry> queue_;
};

}  // namespace

std::unique_ptr<eviction_policy> make_lru_policy() { return std::make_unique<queue_policy<true>>(); }
std::unique_ptr<eviction_policy> make_fifo_policy() { return std::make_unique<queue_policy<false>>(); }

}  // namespace strata::storage

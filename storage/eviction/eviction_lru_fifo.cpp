// LRU and FIFO: one queue, newest at the front; LRU moves an object to the front on access.
#include "storage/eviction/eviction_policies.hpp"
#include "storage/eviction/id_list.hpp"

namespace strata::storage {
namespace {

template <bool MoveOnAccess>
class queue_policy final : public eviction_policy {
public:
    void on_insert(object_id id, std::uint64_t) override { queue_.push_front(id); }
    void on_access(object_id id) override {
        if constexpr (MoveOnAccess) {
            if (queue_.contains(id)) queue_.move_to_front(static_cast<std::uint32_t>(id));
        }
    }
    std::optional<object_id> pick_victim() override {
        if (queue_.empty()) return std::nullopt;
        return queue_.pop_back();
    }
    void erase(object_id id) override {
        if (queue_.contains(id)) queue_.remove(static_cast<std::uint32_t>(id));
    }
    void reserve(std::size_t count) override { links_.reserve(count); }
    std::size_t size() const override { return queue_.size(); }

private:
    id_links links_;
    id_list queue_{links_, 1};
};

}  // namespace

std::unique_ptr<eviction_policy> make_lru_policy() { return std::make_unique<queue_policy<true>>(); }
std::unique_ptr<eviction_policy> make_fifo_policy() { return std::make_unique<queue_policy<false>>(); }

}  // namespace strata::storage

// SIEVE (Zhang et al., NSDI '24): a FIFO queue with a visited bit and a hand sweeping from the
// oldest object toward the newest, clearing bits and evicting the first unvisited object.
#include "storage/eviction/eviction_policies.hpp"
#include "storage/eviction/id_list.hpp"

namespace strata::storage {
namespace {

class sieve_policy final : public eviction_policy {
public:
    void on_insert(object_id id, std::uint64_t) override {
        queue_.push_front(id);
        visited_[id] = 0;
    }
    void on_access(object_id id) override {
        if (queue_.contains(id)) visited_[id] = 1;
    }
    std::optional<object_id> pick_victim() override {
        if (queue_.empty()) return std::nullopt;
        auto it = hand_ != no_slot ? hand_ : queue_.back();
        while (visited_[it]) {
            visited_[it] = 0;
            const auto newer = queue_.newer(it);
            it = newer == no_slot ? queue_.back() : newer;
        }
        hand_ = it;  // remove() steps the hand past the victim
        remove(it);
        return it;
    }
    void erase(object_id id) override {
        if (queue_.contains(id)) remove(static_cast<std::uint32_t>(id));
    }
    void reserve(std::size_t count) override {
        links_.reserve(count);
        visited_.reserve(count);
    }
    std::size_t size() const override { return queue_.size(); }

private:
    // Removes id; a hand on it moves one step toward the newest (or restarts at the oldest).
    void remove(std::uint32_t id) {
        if (hand_ == id) hand_ = queue_.newer(id);
        queue_.remove(id);
    }

    id_links links_;
    id_list queue_{links_, 1};
    id_array<std::uint8_t> visited_;  // bytes, not vector<bool>: one load per check
    std::uint32_t hand_ = no_slot;
};

}  // namespace

std::unique_ptr<eviction_policy> make_sieve_policy() { return std::make_unique<sieve_policy>(); }

}  // namespace strata::storage

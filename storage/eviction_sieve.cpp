// SIEVE (Zhang et al., NSDI '24): a FIFO queue with a visited bit and a hand sweeping from the
// oldest object toward the newest, clearing bits and evicting the first unvisited object.
#include "storage/eviction_policies.hpp"
#include "storage/keyed_list.hpp"

namespace strata::storage {
namespace {

class sieve_policy final : public eviction_policy {
public:
    void on_insert(object_id id, std::uint64_t) override { queue_.push_front({id, false}); }
    void on_access(object_id id) override {
        if (auto* e = queue_.find(id)) e->visited = true;
    }
    std::optional<object_id> pick_victim() override {
        if (queue_.empty()) return std::nullopt;
        auto it = hand_valid_ ? hand_ : std::prev(queue_.end());
        while (it->visited) {
            it->visited = false;
            it = it == queue_.begin() ? std::prev(queue_.end()) : std::prev(it);
        }
        const auto victim = it->id;
        hand_ = it;  // remove() steps the hand past the victim
        hand_valid_ = true;
        remove(it);
        return victim;
    }
    void erase(object_id id) override {
        const auto it = queue_.find_iterator(id);
        if (it != queue_.end()) remove(it);
    }
    std::size_t size() const override { return queue_.size(); }

private:
    struct entry {
        object_id id;
        bool visited;
    };
    // Removes it; a hand on it moves one step toward the newest (or restarts at the oldest).
    void remove(keyed_list<entry>::iterator it) {
        if (hand_valid_ && hand_ == it) {
            hand_valid_ = it != queue_.begin();
            if (hand_valid_) hand_ = std::prev(it);
        }
        queue_.erase(it);
    }

    keyed_list<entry> queue_;
    keyed_list<entry>::iterator hand_{};
    bool hand_valid_ = false;
};

}  // namespace

std::unique_ptr<eviction_policy> make_sieve_policy() { return std::make_unique<sieve_policy>(); }

}  // namespace strata::storage

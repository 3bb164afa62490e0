// S3-FIFO (Yang et al., SOSP '23): a small FIFO for new objects, a main FIFO for objects that
// proved themselves, and a ghost FIFO remembering recent evictions from the small queue.
// Rules here, by bytes: an object enters the small queue, or the main queue when its id is a
// ghost. Accesses count up to 3. When the small queue holds at least a tenth of the tracked
// bytes, its oldest object moves to the main queue if accessed since insertion (count reset),
// else it is the victim and becomes a ghost; otherwise the main queue's oldest object is
// reinserted with its count decremented while the count is above zero, else it is the victim.
// The ghost queue remembers as many ids as there are tracked objects.
#include "storage/eviction/eviction_policies.hpp"
#include "storage/eviction/id_list.hpp"

#include <algorithm>

namespace strata::storage {
namespace {

class s3fifo_policy final : public eviction_policy {
public:
    void on_insert(object_id id, std::uint64_t size) override {
        size_[id] = size;
        frequency_[id] = 0;
        if (ghost_.contains(id)) {
            ghost_.remove(static_cast<std::uint32_t>(id));
            main_.push_front(id);
            main_bytes_ += size;
        } else {
            small_.push_front(id);
            small_bytes_ += size;
        }
    }
    void on_access(object_id id) override {
        if (small_.contains(id) || main_.contains(id))
            frequency_[id] = static_cast<std::uint8_t>(std::min(frequency_[id] + 1, max_frequency));
    }
    std::optional<object_id> pick_victim() override {
        while (!small_.empty() && small_bytes_ * 10 >= small_bytes_ + main_bytes_) {
            const auto id = small_.pop_back();
            small_bytes_ -= size_[id];
            if (frequency_[id] == 0) {
                remember(id);
                return id;
            }
            frequency_[id] = 0;
            main_.push_front(id);
            main_bytes_ += size_[id];
        }
        while (!main_.empty()) {
            const auto id = main_.pop_back();
            if (frequency_[id] == 0) {
                main_bytes_ -= size_[id];
                return id;
            }
            --frequency_[id];
            main_.push_front(id);
        }
        return std::nullopt;  // the small queue alone is always past a tenth of the bytes
    }
    void erase(object_id id) override {
        if (small_.contains(id)) {
            small_bytes_ -= size_[id];
            small_.remove(static_cast<std::uint32_t>(id));
        } else if (main_.contains(id)) {
            main_bytes_ -= size_[id];
            main_.remove(static_cast<std::uint32_t>(id));
        }
    }
    void forget(object_id id) override {
        if (ghost_.contains(id)) ghost_.remove(static_cast<std::uint32_t>(id));
    }
    void reserve(std::size_t count) override {
        links_.reserve(count);
        size_.reserve(count);
        frequency_.reserve(count);
    }
    std::size_t size() const override { return small_.size() + main_.size(); }

private:
    static constexpr int max_frequency = 3;
    void remember(std::uint32_t id) {
        ghost_.push_front(id);
        while (ghost_.size() > std::max<std::size_t>(size(), 1)) ghost_.pop_back();
    }

    id_links links_;  // one id is in at most one of the three queues
    id_list small_{links_, 1}, main_{links_, 2}, ghost_{links_, 3};
    id_array<std::uint64_t> size_;
    id_array<std::uint8_t> frequency_;
    std::uint64_t small_bytes_ = 0, main_bytes_ = 0;
};

}  // namespace

std::unique_ptr<eviction_policy> make_s3fifo_policy() { return std::make_unique<s3fifo_policy>(); }

}  // namespace strata::storage

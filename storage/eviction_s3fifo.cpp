// S3-FIFO (Yang et al., SOSP '23): a small FIFO for new objects, a main FIFO for objects that
// proved themselves, and a ghost FIFO remembering recent evictions from the small queue.
// Rules here, by bytes: an object enters the small queue, or the main queue when its id is a
// ghost. Accesses count up to 3. When the small queue holds at least a tenth of the tracked
// bytes, its oldest object moves to the main queue if accessed since insertion (count reset),
// else it is the victim and becomes a ghost; otherwise the main queue's oldest object is
// reinserted with its count decremented while the count is above zero, else it is the victim.
// The ghost queue remembers as many ids as there are tracked objects.
#include "storage/eviction_policies.hpp"
#include "storage/keyed_list.hpp"

#include <algorithm>

namespace strata::storage {
namespace {

class s3fifo_policy final : public eviction_policy {
public:
    void on_insert(object_id id, std::uint64_t size) override {
        if (ghost_.erase(id)) {
            main_.push_front({id, size, 0});
            main_bytes_ += size;
        } else {
            small_.push_front({id, size, 0});
            small_bytes_ += size;
        }
    }
    void on_access(object_id id) override {
        auto* e = small_.find(id);
        if (!e) e = main_.find(id);
        if (e) e->frequency = std::min(e->frequency + 1, max_frequency);
    }
    std::optional<object_id> pick_victim() override {
        while (!small_.empty() && small_bytes_ * 10 >= small_bytes_ + main_bytes_) {
            auto e = small_.pop_back();
            small_bytes_ -= e.size;
            if (e.frequency == 0) {
                remember(e.id);
                return e.id;
            }
            main_.push_front({e.id, e.size, 0});
            main_bytes_ += e.size;
        }
        while (!main_.empty()) {
            auto e = main_.pop_back();
            if (e.frequency == 0) {
                main_bytes_ -= e.size;
                return e.id;
            }
            main_.push_front({e.id, e.size, e.frequency - 1});
        }
        return std::nullopt;  // the small queue alone is always past a tenth of the bytes
    }
    void erase(object_id id) override {
        if (auto* e = small_.find(id)) {
            small_bytes_ -= e->size;
            small_.erase(id);
        } else if (auto* m = main_.find(id)) {
            main_bytes_ -= m->size;
            main_.erase(id);
        }
    }
    std::size_t size() const override { return small_.size() + main_.size(); }

private:
    static constexpr unsigned max_frequency = 3;
    struct entry {
        object_id id;
        std::uint64_t size;
        unsigned frequency;
    };
    struct ghost {
        object_id id;
    };
    void remember(object_id id) {
        ghost_.push_front({id});
        while (ghost_.size() > std::max<std::size_t>(size(), 1)) ghost_.pop_back();
    }

    keyed_list<entry> small_, main_;
    keyed_list<ghost> ghost_;
    std::uint64_t small_bytes_ = 0, main_bytes_ = 0;
};

}  // namespace

std::unique_ptr<eviction_policy> make_s3fifo_policy() { return std::make_unique<s3fifo_policy>(); }

}  // namespace strata::storage

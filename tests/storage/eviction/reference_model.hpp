// reference_model: the six storage eviction policies written as plainly as possible (vectors
// scanned linearly), for the policy tests and the simulator's tests to compare against.
#pragma once

#include "storage/eviction/eviction_policy.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace strata::storage::testing {

// The reference models: vectors scanned linearly, no cleverness.
class reference_model {
public:
    explicit reference_model(eviction_kind kind) : kind_(kind) {}

    void insert(object_id id, std::uint64_t size) {
        ++tick_;
        switch (kind_) {
        case eviction_kind::s3fifo: {
            const auto g = std::find(ghost_.begin(), ghost_.end(), id);
            if (g != ghost_.end()) {
                ghost_.erase(g);
                main_.push_back({id, size, 0, 0, 0});
            } else {
                small_.push_back({id, size, 0, 0, 0});
            }
            return;
        }
        case eviction_kind::gdsf: {
            const auto s = std::max<std::uint64_t>(size, 1);
            objects_.push_back({id, s, 1, inflation_ + 1.0 / static_cast<double>(s), tick_});
            return;
        }
        default: objects_.push_back({id, size, 1, 0, tick_});  // the back is the newest
        }
    }

    void access(object_id id) {
        ++tick_;
        if (kind_ == eviction_kind::s3fifo) {
            for (auto* q : {&small_, &main_})
                for (auto& o : *q)
                    if (o.id == id) o.frequency = std::min<std::uint64_t>(o.frequency + 1, 3);
            return;
        }
        const auto it = std::find_if(objects_.begin(), objects_.end(), [&](const object& o) { return o.id == id; });
        if (it == objects_.end()) return;
        switch (kind_) {
        case eviction_kind::lru: {
            auto o = *it;
            objects_.erase(it);
            objects_.push_back(o);
            return;
        }
        case eviction_kind::lfu: ++it->frequency; it->tick = tick_; return;
        case eviction_kind::gdsf:
            ++it->frequency;
            it->priority = inflation_ + static_cast<double>(it->frequency) / static_cast<double>(it->size);
            it->tick = tick_;
            return;
        case eviction_kind::sieve: it->visited = true; return;
        default: return;
        }
    }

    std::optional<object_id> evict() {
        switch (kind_) {
        case eviction_kind::lru:
        case eviction_kind::fifo: return take(0);
        case eviction_kind::lfu: return take(min_index([](const object& a, const object& b) {
            return a.frequency != b.frequency ? a.frequency < b.frequency : a.tick < b.tick;
        }));
        case eviction_kind::gdsf: {
            const auto i = min_index([](const object& a, const object& b) {
                return a.priority != b.priority ? a.priority < b.priority : a.tick < b.tick;
            });
            if (i < objects_.size()) inflation_ = objects_[i].priority;
            return take(i);
        }
        case eviction_kind::sieve: return evict_sieve();
        case eviction_kind::s3fifo: return evict_s3fifo();
        }
        return std::nullopt;
    }

    void erase(object_id id) {
        for (auto* q : {&objects_, &small_, &main_})
            for (std::size_t i = 0; i < q->size(); ++i)
                if ((*q)[i].id == id) {
                    if (q == &objects_ && hand_ && i < *hand_) --*hand_;
                    else if (q == &objects_ && hand_ && i == *hand_ && i + 1 == q->size()) hand_.reset();
                    q->erase(q->begin() + static_cast<std::ptrdiff_t>(i));
                    return;
                }
    }

private:
    struct object {
        object_id id;
        std::uint64_t size, frequency;
        double priority;
        std::uint64_t tick;
        bool visited = false;
    };

    template <typename Less>
    std::size_t min_index(Less less) const {
        std::size_t best = objects_.size();
        for (std::size_t i = 0; i < objects_.size(); ++i)
            if (best == objects_.size() || less(objects_[i], objects_[best])) best = i;
        return best;
    }
    std::optional<object_id> take(std::size_t i) {
        if (i >= objects_.size()) return std::nullopt;
        const auto id = objects_[i].id;
        objects_.erase(objects_.begin() + static_cast<std::ptrdiff_t>(i));
        return id;
    }
    // The hand starts at the oldest (index 0) and walks toward the newest, wrapping around.
    std::optional<object_id> evict_sieve() {
        if (objects_.empty()) return std::nullopt;
        auto i = hand_.value_or(0);
        while (objects_[i].visited) {
            objects_[i].visited = false;
            i = (i + 1) % objects_.size();
        }
        const auto id = objects_[i].id;
        objects_.erase(objects_.begin() + static_cast<std::ptrdiff_t>(i));
        hand_ = i < objects_.size() ? std::optional<std::size_t>(i) : std::nullopt;
        return id;
    }
    std::optional<object_id> evict_s3fifo() {
        const auto bytes = [](const std::vector<object>& q) {
            std::uint64_t b = 0;
            for (const auto& o : q) b += o.size;
            return b;
        };
        while (!small_.empty() && bytes(small_) * 10 >= bytes(small_) + bytes(main_)) {
            auto o = small_.front();
            small_.erase(small_.begin());
            if (o.frequency == 0) {
                ghost_.push_back(o.id);
                while (ghost_.size() > std::max<std::size_t>(small_.size() + main_.size(), 1)) ghost_.erase(ghost_.begin());
                return o.id;
            }
            o.frequency = 0;
            main_.push_back(o);
        }
        while (!main_.empty()) {
            auto o = main_.front();
            main_.erase(main_.begin());
            if (o.frequency == 0) return o.id;
            --o.frequency;
            main_.push_back(o);
        }
        return std::nullopt;
    }

    eviction_kind kind_;
    std::vector<object> objects_, small_, main_;  // front = oldest
    std::vector<object_id> ghost_;
    std::optional<std::size_t> hand_;
    double inflation_ = 0;
    std::uint64_t tick_ = 0;
};

}  // namespace strata::storage::testing

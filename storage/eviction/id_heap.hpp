// id_heap: a binary min-heap of small dense ids with their positions kept per id, so a key
// can change or an id leave in O(log n): the order under LFU and the Greedy-Dual policies.
#pragma once

#include "storage/eviction/id_list.hpp"

#include <tuple>
#include <utility>
#include <vector>

namespace strata::storage {

// The usual heap key: a priority, then the tick of its last change (older first among equals).
template <typename Priority>
struct priority_key {
    Priority priority;
    std::uint64_t tick;
    bool operator<(const priority_key& o) const noexcept { return std::tie(priority, tick) < std::tie(o.priority, o.tick); }
};

// Key must be totally ordered by operator<. Not thread-safe.
template <typename Key>
class id_heap {
public:
    bool empty() const noexcept { return heap_.empty(); }
    std::size_t size() const noexcept { return heap_.size(); }
    bool contains(object_id id) const noexcept { return id < pos_.size() && pos_[id] != no_slot; }
    const Key& key(object_id id) const { return keys_[pos_[id]]; }
    std::uint32_t top() const noexcept { return heap_.front(); }
    const Key& top_key() const noexcept { return keys_.front(); }

    void reserve(std::size_t count) {
        if (count > pos_.size()) pos_.resize(count, no_slot);
    }

    // Adds id or changes its key.
    void set(object_id id, Key key) {
        if (id >= no_slot) throw std::length_error("eviction policy: object id too large");
        if (id >= pos_.size()) pos_.resize(std::max<std::size_t>(id + 1, pos_.size() * 2), no_slot);
        if (pos_[id] == no_slot) {
            pos_[id] = static_cast<std::uint32_t>(heap_.size());
            heap_.push_back(static_cast<std::uint32_t>(id));
            keys_.push_back(std::move(key));
            up(heap_.size() - 1);
            return;
        }
        const auto at = pos_[id];
        const bool smaller = key < keys_[at];
        keys_[at] = std::move(key);
        if (smaller) up(at);
        else down(at);
    }
    void erase(object_id id) {
        if (!contains(id)) return;
        const auto at = pos_[id];
        const auto last = heap_.size() - 1;
        swap_at(at, last);
        heap_.pop_back();
        keys_.pop_back();
        pos_[id] = no_slot;
        if (at < heap_.size()) {
            up(at);
            down(at);
        }
    }
    std::uint32_t pop() {
        const auto id = heap_.front();
        erase(id);
        return id;
    }

private:
    void swap_at(std::size_t a, std::size_t b) {
        std::swap(heap_[a], heap_[b]);
        std::swap(keys_[a], keys_[b]);
        pos_[heap_[a]] = static_cast<std::uint32_t>(a);
        pos_[heap_[b]] = static_cast<std::uint32_t>(b);
    }
    void up(std::size_t i) {
        while (i > 0) {
            const auto parent = (i - 1) / 2;
            if (!(keys_[i] < keys_[parent])) return;
            swap_at(i, parent);
            i = parent;
        }
    }
    void down(std::size_t i) {
        for (;;) {
            const auto l = 2 * i + 1, r = l + 1;
            auto smallest = i;
            if (l < heap_.size() && keys_[l] < keys_[smallest]) smallest = l;
            if (r < heap_.size() && keys_[r] < keys_[smallest]) smallest = r;
            if (smallest == i) return;
            swap_at(i, smallest);
            i = smallest;
        }
    }

    std::vector<std::uint32_t> heap_;  // ids in heap order
    std::vector<Key> keys_;            // keys_[i] belongs to heap_[i]
    std::vector<std::uint32_t> pos_;   // id -> index in heap_, or no_slot
};

}  // namespace strata::storage

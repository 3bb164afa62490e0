// id_list: doubly linked lists of small dense ids whose links live in arrays indexed by id, so
// every operation is O(1) without allocation per object: the queues under the eviction policies.
#pragma once

#include "storage/eviction/eviction_policy.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

namespace strata::storage {

inline constexpr std::uint32_t no_slot = std::numeric_limits<std::uint32_t>::max();

// The links and list membership of every id; several lists share one id_links (an id is in
// at most one of them). 9 bytes per id up to the largest id seen.
class id_links {
public:
    // Makes room for id; ids must stay below 2^32 - 1 (callers hand out small dense ids).
    void ensure(object_id id) {
        if (id >= no_slot) throw std::length_error("eviction policy: object id too large");
        if (id < tag_.size()) return;
        const auto n = std::max<std::size_t>(id + 1, tag_.size() * 2);
        prev_.resize(n, no_slot);
        next_.resize(n, no_slot);
        tag_.resize(n, 0);
    }
    std::uint8_t tag(object_id id) const noexcept { return id < tag_.size() ? tag_[id] : 0; }
    void reserve(std::size_t count) {
        if (count <= tag_.size()) return;
        prev_.resize(count, no_slot);
        next_.resize(count, no_slot);
        tag_.resize(count, 0);
    }

private:
    friend class id_list;
    std::vector<std::uint32_t> prev_, next_;  // prev: toward the front (newer)
    std::vector<std::uint8_t> tag_;           // which list holds the id; 0: none
};

// Front = newest, back = oldest. Not thread-safe.
class id_list {
public:
    id_list(id_links& links, std::uint8_t tag) : links_(links), tag_(tag) {}

    bool empty() const noexcept { return size_ == 0; }
    std::size_t size() const noexcept { return size_; }
    bool contains(object_id id) const noexcept { return links_.tag(id) == tag_; }
    std::uint32_t back() const noexcept { return tail_; }
    std::uint32_t front() const noexcept { return head_; }
    // The neighbour toward the front (newer), or no_slot.
    std::uint32_t newer(std::uint32_t id) const noexcept { return links_.prev_[id]; }

    void push_front(object_id id) {
        links_.ensure(id);
        const auto i = static_cast<std::uint32_t>(id);
        links_.tag_[i] = tag_;
        links_.prev_[i] = no_slot;
        links_.next_[i] = head_;
        if (head_ != no_slot) links_.prev_[head_] = i;
        head_ = i;
        if (tail_ == no_slot) tail_ = i;
        ++size_;
    }
    // The id must be in this list.
    void remove(std::uint32_t i) noexcept {
        const auto p = links_.prev_[i], n = links_.next_[i];
        (p == no_slot ? head_ : links_.next_[p]) = n;
        (n == no_slot ? tail_ : links_.prev_[n]) = p;
        links_.tag_[i] = 0;
        --size_;
    }
    std::uint32_t pop_back() noexcept {
        const auto i = tail_;
        remove(i);
        return i;
    }
    void move_to_front(std::uint32_t i) {
        if (head_ == i) return;
        remove(i);
        push_front(i);
    }

private:
    id_links& links_;
    std::uint8_t tag_;
    std::uint32_t head_ = no_slot, tail_ = no_slot;
    std::size_t size_ = 0;
};

// A per-id value in an array grown on demand.
template <typename T>
class id_array {
public:
    T& operator[](object_id id) {
        if (id >= values_.size()) values_.resize(std::max<std::size_t>(id + 1, values_.size() * 2));
        return values_[id];
    }
    void reserve(std::size_t count) {
        if (count > values_.size()) values_.resize(count);
    }

private:
    std::vector<T> values_;
};

}  // namespace strata::storage

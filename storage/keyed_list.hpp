// keyed_list: a list ordered by the caller (front = newest) whose entries are found by id in O(1).
#pragma once

#include "storage/eviction_policy.hpp"

#include <iterator>
#include <list>
#include <unordered_map>

namespace strata::storage {

// The queue under LRU, FIFO, SIEVE and S3-FIFO. Entry must have an `id` member.
template <typename Entry>
class keyed_list {
public:
    using iterator = typename std::list<Entry>::iterator;

    bool empty() const noexcept { return list_.empty(); }
    std::size_t size() const noexcept { return list_.size(); }
    iterator begin() noexcept { return list_.begin(); }
    iterator end() noexcept { return list_.end(); }
    Entry& back() { return list_.back(); }

    Entry* find(object_id id) {
        const auto it = index_.find(id);
        return it == index_.end() ? nullptr : &*it->second;
    }
    iterator find_iterator(object_id id) {
        const auto it = index_.find(id);
        return it == index_.end() ? list_.end() : it->second;
    }
    void push_front(Entry e) {
        const auto id = e.id;
        list_.push_front(std::move(e));
        index_[id] = list_.begin();
    }
    void move_to_front(iterator it) { list_.splice(list_.begin(), list_, it); }
    iterator erase(iterator it) {
        index_.erase(it->id);
        return list_.erase(it);
    }
    bool erase(object_id id) {
        const auto it = index_.find(id);
        if (it == index_.end()) return false;
        list_.erase(it->second);
        index_.erase(it);
        return true;
    }
    Entry pop_back() {
        Entry e = std::move(list_.back());
        index_.erase(e.id);
        list_.pop_back();
        return e;
    }

private:
    std::list<Entry> list_;
    std::unordered_map<object_id, iterator> index_;
};

}  // namespace strata::storage

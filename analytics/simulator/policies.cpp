// sim_policies: names, ARC and the byte Greedy-Dual on the storage library's id lists and heap.
#include "analytics/simulator/policies.hpp"

#include "storage/eviction/id_heap.hpp"
#include "storage/eviction/id_list.hpp"

#include <algorithm>

namespace strata::analytics {
namespace {

using storage::id_heap;
using storage::id_links;
using storage::id_list;
using storage::object_id;

class arc_policy final : public storage::eviction_policy {
public:
    void on_insert(object_id id, std::uint64_t) override {
        const auto c = static_cast<double>(std::max<std::size_t>(size() + 1, 1));
        if (b1_.contains(id)) {  // recency was undervalued: grow T1's target
            p_ = std::min(c, p_ + std::max(1.0, static_cast<double>(b2_.size()) / static_cast<double>(b1_.size())));
            b1_.remove(static_cast<std::uint32_t>(id));
            t2_.push_front(id);
        } else if (b2_.contains(id)) {  // frequency was undervalued: shrink it
            p_ = std::max(0.0, p_ - std::max(1.0, static_cast<double>(b1_.size()) / static_cast<double>(b2_.size())));
            b2_.remove(static_cast<std::uint32_t>(id));
            t2_.push_front(id);
            last_from_b2_ = true;
            return;
        } else {
            t1_.push_front(id);
        }
        last_from_b2_ = false;
    }
    void on_access(object_id id) override {
        if (t1_.contains(id)) {
            t1_.remove(static_cast<std::uint32_t>(id));
            t2_.push_front(id);
        } else if (t2_.contains(id)) {
            t2_.move_to_front(static_cast<std::uint32_t>(id));
        }
    }
    std::optional<object_id> pick_victim() override {
        if (t1_.empty() && t2_.empty()) return std::nullopt;
        const auto t1 = static_cast<double>(t1_.size());
        const bool from_t1 = !t1_.empty() && (t2_.empty() || t1 > p_ || (last_from_b2_ && t1 == p_));
        auto& from = from_t1 ? t1_ : t2_;
        auto& ghost = from_t1 ? b1_ : b2_;
        const auto victim = from.pop_back();
        ghost.push_front(victim);
        // Ghosts remember at most as many ids as the cache holds.
        while (b1_.size() + b2_.size() > std::max<std::size_t>(size(), 1))
            (b1_.size() > b2_.size() ? b1_ : b2_).pop_back();
        return victim;
    }
    void erase(object_id id) override {
        if (t1_.contains(id)) t1_.remove(static_cast<std::uint32_t>(id));
        else if (t2_.contains(id)) t2_.remove(static_cast<std::uint32_t>(id));
    }
    void forget(object_id id) override {
        if (b1_.contains(id)) b1_.remove(static_cast<std::uint32_t>(id));
        else if (b2_.contains(id)) b2_.remove(static_cast<std::uint32_t>(id));
    }
    void reserve(std::size_t count) override { links_.reserve(count); }
    std::size_t size() const override { return t1_.size() + t2_.size(); }

private:
    id_links links_;
    id_list t1_{links_, 1}, t2_{links_, 2}, b1_{links_, 3}, b2_{links_, 4};
    double p_ = 0;
    bool last_from_b2_ = false;
};

class gd_bytes_policy final : public storage::eviction_policy {
public:
    void on_insert(object_id id, std::uint64_t) override { order_.set(id, {inflation_ + 1, ++tick_}); }
    void on_access(object_id id) override {
        if (order_.contains(id)) order_.set(id, {order_.key(id).priority + 1, ++tick_});
    }
    std::optional<object_id> pick_victim() override {
        if (order_.empty()) return std::nullopt;
        inflation_ = order_.top_key().priority;
        return order_.pop();
    }
    void erase(object_id id) override { order_.erase(id); }
    void reserve(std::size_t count) override { order_.reserve(count); }
    std::size_t size() const override { return order_.size(); }

private:
    double inflation_ = 0;
    std::uint64_t tick_ = 0;
    id_heap<storage::priority_key<double>> order_;
};

}  // namespace

const std::vector<std::string>& sim_policy_names() {
    static const std::vector<std::string> names = {"lru", "fifo", "lfu", "s3fifo", "sieve", "gdsf",
                                                   "arc", "gd-bytes", "ttl", "belady", "belady-size"};
    return names;
}

std::optional<sim_policy> parse_sim_policy(std::string_view name) {
    if (const auto k = storage::parse_eviction_kind(name)) return sim_policy{sim_policy_kind::storage, *k, std::string(name)};
    if (name == "arc") return sim_policy{sim_policy_kind::arc, {}, "arc"};
    if (name == "gd-bytes") return sim_policy{sim_policy_kind::gd_bytes, {}, "gd-bytes"};
    if (name == "ttl") return sim_policy{sim_policy_kind::ttl, {}, "ttl"};
    if (name == "belady") return sim_policy{sim_policy_kind::belady, {}, "belady"};
    if (name == "belady-size") return sim_policy{sim_policy_kind::belady_size, {}, "belady-size"};
    return std::nullopt;
}

std::unique_ptr<storage::eviction_policy> make_arc_policy() { return std::make_unique<arc_policy>(); }
std::unique_ptr<storage::eviction_policy> make_gd_bytes_policy() { return std::make_unique<gd_bytes_policy>(); }

std::unique_ptr<storage::eviction_policy> make_policy(const sim_policy& p) {
    switch (p.kind) {
    case sim_policy_kind::storage: return storage::make_eviction_policy(p.storage_kind);
    case sim_policy_kind::arc: return make_arc_policy();
    case sim_policy_kind::gd_bytes: return make_gd_bytes_policy();
    case sim_policy_kind::ttl: return storage::make_eviction_policy(storage::eviction_kind::lru);
    default: return nullptr;
    }
}

}  // namespace strata::analytics

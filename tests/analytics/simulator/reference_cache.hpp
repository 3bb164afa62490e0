// reference_cache: every simulated cache policy written plainly (maps, vectors, linear scans),
// for the tests that compare the simulator's caches with it request by request.
#pragma once

#include "analytics/simulator/cache.hpp"

#include "tests/storage/eviction/reference_model.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace strata::analytics::testing {

using strata::storage::object_id;

// ARC as in the paper, on plain vectors (back = most recent).
class reference_arc {
public:
    void insert(object_id id) {
        const auto c = static_cast<double>(t1_.size() + t2_.size() + 1);
        if (take(b1_, id)) {
            p_ = std::min(c, p_ + std::max(1.0, static_cast<double>(b2_.size()) / static_cast<double>(b1_.size() + 1)));
            t2_.push_back(id);
            from_b2_ = false;
        } else if (take(b2_, id)) {
            p_ = std::max(0.0, p_ - std::max(1.0, static_cast<double>(b1_.size()) / static_cast<double>(b2_.size() + 1)));
            t2_.push_back(id);
            from_b2_ = true;
        } else {
            t1_.push_back(id);
            from_b2_ = false;
        }
    }
    void access(object_id id) {
        if (take(t1_, id) || take(t2_, id)) t2_.push_back(id);
    }
    std::optional<object_id> evict() {
        if (t1_.empty() && t2_.empty()) return std::nullopt;
        const auto t1 = static_cast<double>(t1_.size());
        const bool from_t1 = !t1_.empty() && (t2_.empty() || t1 > p_ || (from_b2_ && t1 == p_));
        auto& from = from_t1 ? t1_ : t2_;
        const auto victim = from.front();
        from.erase(from.begin());
        (from_t1 ? b1_ : b2_).push_back(victim);
        while (b1_.size() + b2_.size() > std::max<std::size_t>(t1_.size() + t2_.size(), 1)) {
            auto& g = b1_.size() > b2_.size() ? b1_ : b2_;
            g.erase(g.begin());
        }
        return victim;
    }
    void erase(object_id id) { take(t1_, id) || take(t2_, id); }

private:
    static bool take(std::vector<object_id>& v, object_id id) {
        const auto it = std::find(v.begin(), v.end(), id);
        if (it == v.end()) return false;
        v.erase(it);
        return true;
    }
    std::vector<object_id> t1_, t2_, b1_, b2_;
    double p_ = 0;
    bool from_b2_ = false;
};

// Greedy-Dual with cost = size: priority L + 1 on entry, + 1 per access.
class reference_gd_bytes {
public:
    void insert(object_id id) { objects_.push_back({id, inflation_ + 1, ++tick_}); }
    void access(object_id id) {
        for (auto& o : objects_)
            if (o.id == id) o.priority += 1, o.tick = ++tick_;
    }
    std::optional<object_id> evict() {
        if (objects_.empty()) return std::nullopt;
        auto best = objects_.begin();
        for (auto it = objects_.begin(); it != objects_.end(); ++it)
            if (it->priority < best->priority || (it->priority == best->priority && it->tick < best->tick)) best = it;
        inflation_ = best->priority;
        const auto id = best->id;
        objects_.erase(best);
        return id;
    }
    void erase(object_id id) {
        std::erase_if(objects_, [&](const auto& o) { return o.id == id; });
    }

private:
    struct object {
        object_id id;
        double priority;
        std::uint64_t tick;
    };
    std::vector<object> objects_;
    double inflation_ = 0;
    std::uint64_t tick_ = 0;
};

// The whole cache, plainly: a map of what is cached and one of the victim models above.
class reference_cache {
public:
    reference_cache(const sim_policy& p, const sim_cache_limits& l, const std::vector<std::uint64_t>& sizes)
        : p_(p), l_(l), sizes_(sizes),
          storage_(p.kind == sim_policy_kind::ttl ? strata::storage::eviction_kind::lru : p.storage_kind) {}

    bool request(std::uint32_t o, double time, std::uint64_t next_use) {
        ++tick_;
        if (cached_.count(o)) {
            if (p_.kind == sim_policy_kind::ttl && time - entered_[o] > l_.ttl_s) {
                remove(o);
            } else {
                if (offline()) next_[o] = {next_use, tick_};
                else access(o);
                return true;
            }
        }
        admit(o, time, next_use);
        return false;
    }

private:
    bool offline() const { return p_.kind == sim_policy_kind::belady || p_.kind == sim_policy_kind::belady_size; }
    double weight(std::uint32_t o) const {
        return p_.kind == sim_policy_kind::belady_size ? static_cast<double>(std::max<std::uint64_t>(sizes_[o], 1)) : 1.0;
    }
    double distance(std::uint64_t next_use) const { return next_use == never ? 1e300 : static_cast<double>(next_use); }
    // The cached object whose next use is farthest (weighted), the oldest update among equals.
    std::uint32_t farthest() const {
        std::uint32_t best = 0;
        double best_d = -1;
        std::uint64_t best_tick = 0;
        for (const auto& [o, n] : next_) {
            const double d = distance(n.first) * weight(o);
            if (d > best_d || (d == best_d && n.second < best_tick)) best = o, best_d = d, best_tick = n.second;
        }
        return best;
    }
    void access(std::uint32_t o) {
        if (p_.kind == sim_policy_kind::arc) arc_.access(o);
        else if (p_.kind == sim_policy_kind::gd_bytes) gdb_.access(o);
        else storage_.access(o);
    }
    std::optional<object_id> evict() {
        if (p_.kind == sim_policy_kind::arc) return arc_.evict();
        if (p_.kind == sim_policy_kind::gd_bytes) return gdb_.evict();
        return storage_.evict();
    }
    void remove(std::uint32_t o) {
        if (offline()) next_.erase(o);
        else if (p_.kind == sim_policy_kind::arc) arc_.erase(o);
        else if (p_.kind == sim_policy_kind::gd_bytes) gdb_.erase(o);
        else storage_.erase(o);
        used_ -= sizes_[o];
        cached_.erase(o);
    }
    void admit(std::uint32_t o, double time, std::uint64_t next_use) {
        const auto size = sizes_[o];
        const auto high = static_cast<std::uint64_t>(l_.high * static_cast<double>(l_.capacity));
        if (size > l_.admit_max || size > high) return;
        if (offline()) {
            if (next_use == never) return;
            while (used_ + size > high && !next_.empty()) {
                const auto v = farthest();
                if (distance(next_use) * weight(o) > distance(next_[v].first) * weight(v)) return;
                remove(v);
            }
            next_[o] = {next_use, tick_};
        } else if (p_.kind == sim_policy_kind::arc) {
            arc_.insert(o);
        } else if (p_.kind == sim_policy_kind::gd_bytes) {
            gdb_.insert(o);
        } else {
            storage_.insert(o, size);
        }
        cached_.insert(o);
        entered_[o] = time;
        used_ += size;
        if (used_ <= high) return;
        const auto low = static_cast<std::uint64_t>(l_.low * static_cast<double>(l_.capacity));
        while (used_ > low) {
            if (offline()) {
                if (next_.empty()) return;
                remove(farthest());
                continue;
            }
            const auto v = evict();
            if (!v) return;
            used_ -= sizes_[*v];
            cached_.erase(static_cast<std::uint32_t>(*v));
        }
    }

    sim_policy p_;
    sim_cache_limits l_;
    const std::vector<std::uint64_t>& sizes_;
    strata::storage::testing::reference_model storage_;
    reference_arc arc_;
    reference_gd_bytes gdb_;
    std::set<std::uint32_t> cached_;
    std::map<std::uint32_t, double> entered_;
    std::map<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>> next_;  // next use, tick
    std::uint64_t used_ = 0, tick_ = 0;
};

}  // namespace strata::analytics::testing

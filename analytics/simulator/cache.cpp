// sim_cache: admission, expiry, watermark eviction, and Belady's farthest-next-use choice.
#include "analytics/simulator/cache.hpp"

namespace strata::analytics {

sim_cache::sim_cache(const sim_policy& policy, const sim_cache_limits& limits, const std::vector<std::uint64_t>& sizes)
    : kind_(policy), limits_(limits), policy_(make_policy(policy)), sizes_(sizes), cached_(sizes.size(), 0) {
    if (policy_) policy_->reserve(sizes.size());
    if (offline()) belady_.reserve(sizes.size());
    if (kind_.kind == sim_policy_kind::ttl) entered_.resize(sizes.size(), 0);
}

bool sim_cache::offline() const noexcept {
    return kind_.kind == sim_policy_kind::belady || kind_.kind == sim_policy_kind::belady_size;
}

bool sim_cache::expired(std::uint32_t object, double time) const noexcept {
    return kind_.kind == sim_policy_kind::ttl && time - entered_[object] > limits_.ttl_s;
}

sim_cache::belady_key sim_cache::key_for(std::uint64_t size, std::uint64_t next_use) const {
    const double distance = next_use == never ? 1e300 : static_cast<double>(next_use);
    const double weight = kind_.kind == sim_policy_kind::belady_size ? static_cast<double>(std::max<std::uint64_t>(size, 1)) : 1.0;
    return {-distance * weight, tick_};
}

bool sim_cache::request(std::uint32_t object, double time, std::uint64_t next_use) {
    ++tick_;
    if (contains(object)) {
        if (expired(object, time)) {
            remove(object);  // expired: fetched again below
        } else {
            if (offline()) belady_.set(object, key_for(sizes_[object], next_use));
            else policy_->on_access(object);
            return true;
        }
    }
    admit(object, time, next_use);
    return false;
}

bool sim_cache::insert_if_absent(std::uint32_t object, double time, std::uint64_t next_use) {
    if (contains(object)) {
        if (!expired(object, time)) return false;
        remove(object);
    }
    ++tick_;
    admit(object, time, next_use);
    return true;
}

void sim_cache::admit(std::uint32_t object, double time, std::uint64_t next_use) {
    const auto size = sizes_[object];
    const auto high = static_cast<std::uint64_t>(limits_.high * static_cast<double>(limits_.capacity));
    if (size > limits_.admit_max || size > high) return;
    if (offline()) {
        if (next_use == never) return;  // never asked for again: keeping it can only cost
        const auto key = key_for(size, next_use);
        // Make room first; decline when the newcomer would itself be the first to go.
        while (used_ + size > high && !belady_.empty()) {
            if (key < belady_.top_key()) return;
            remove(belady_.top());
        }
        belady_.set(object, key);
    } else {
        policy_->on_insert(object, size);
    }
    cached_[object] = 1;
    if (kind_.kind == sim_policy_kind::ttl) entered_[object] = time;
    used_ += size;
    if (used_ > high) evict_to(static_cast<std::uint64_t>(limits_.low * static_cast<double>(limits_.capacity)));
}

void sim_cache::evict_to(std::uint64_t target) {
    while (used_ > target) {
        if (offline()) {
            if (belady_.empty()) return;
            remove(belady_.top());
            continue;
        }
        const auto victim = policy_->pick_victim();
        if (!victim) return;
        const auto v = static_cast<std::uint32_t>(*victim);
        cached_[v] = 0;
        used_ -= sizes_[v];
    }
}

void sim_cache::remove(std::uint32_t object) {
    if (offline()) belady_.erase(object);
    else policy_->erase(object);
    cached_[object] = 0;
    used_ -= sizes_[object];
}

}  // namespace strata::analytics

// cache_evictor: policy bookkeeping by digest, leases, pins and the watermark eviction loop.
#include "storage/eviction/cache_evictor.hpp"

#include <algorithm>
#include <vector>

namespace strata::storage {

cache_evictor::cache_evictor(eviction_kind kind, cache_limits limits, remover remove)
    : kind_(kind), limits_(limits), remove_(std::move(remove)), policy_(make_eviction_policy(kind)) {}

void cache_evictor::restore(const metadata_index& index) {
    struct record {
        std::string digest;
        blob_record blob;
    };
    std::vector<record> records;
    index.for_each_blob([&](std::string_view d, const blob_record& r) {
        if (digest::parse(d)) records.push_back({std::string(d), r});
    });
    std::sort(records.begin(), records.end(),
              [](const record& a, const record& b) { return a.blob.first_access_ns < b.blob.first_access_ns; });
    for (const auto& r : records) inserted(*digest::parse(r.digest), r.blob.size);
    std::sort(records.begin(), records.end(),
              [](const record& a, const record& b) { return a.blob.last_access_ns < b.blob.last_access_ns; });
    std::lock_guard lock(mutex_);
    for (const auto& r : records) policy_->on_restore_access(ids_.at(r.digest), r.blob.hits);
}

void cache_evictor::inserted(const digest& d, std::uint64_t size) {
    std::lock_guard lock(mutex_);
    if (ids_.count(d.str())) return;
    const auto id = take_id();
    ids_.emplace(d.str(), id);
    entries_.emplace(id, entry{d.str(), size});
    policy_->on_insert(id, size);
    bytes_ += size;
}

// Policies keep arrays indexed by id: ids of evicted blobs are reused, so the arrays stay as
// large as the most blobs ever cached at once.
object_id cache_evictor::take_id() {
    if (free_ids_.empty()) return next_id_++;
    const auto id = free_ids_.back();
    free_ids_.pop_back();
    policy_->forget(id);
    return id;
}

void cache_evictor::accessed(const digest& d) {
    std::lock_guard lock(mutex_);
    if (auto it = ids_.find(d.str()); it != ids_.end()) policy_->on_access(it->second);
}

cache_evictor::lease cache_evictor::hold(const digest& d) {
    std::lock_guard lock(mutex_);
    ++leases_[d.str()];
    return lease(this, d.str());
}

cache_evictor::lease::~lease() {
    if (owner_) owner_->release(digest_);
}

void cache_evictor::release(const std::string& d) {
    std::lock_guard lock(mutex_);
    if (auto it = leases_.find(d); it != leases_.end() && --it->second == 0) leases_.erase(it);
}

void cache_evictor::set_pinned(std::unordered_set<std::string> digests) {
    std::lock_guard lock(mutex_);
    pinned_ = std::move(digests);
}

bool cache_evictor::over_high_watermark() const {
    return limits_.max_bytes > 0 &&
           static_cast<double>(bytes_.load()) > limits_.high_watermark * static_cast<double>(limits_.max_bytes);
}

std::size_t cache_evictor::objects() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

// The policy's next victim that is neither leased nor pinned, taken out of the policy; the
// others are set aside in kept, to go back in when the run ends. Its bytes stay counted until
// its file is gone, so bytes() never says less than the disk holds.
std::optional<std::pair<object_id, cache_evictor::entry>> cache_evictor::next_victim(
    std::vector<std::pair<object_id, entry>>& kept) {
    std::lock_guard lock(mutex_);
    while (auto id = policy_->pick_victim()) {
        auto node = entries_.extract(*id);
        ids_.erase(node.mapped().digest);
        if (leases_.count(node.mapped().digest) || pinned_.count(node.mapped().digest)) {
            kept.emplace_back(*id, std::move(node.mapped()));
            continue;
        }
        return std::pair{*id, std::move(node.mapped())};
    }
    return std::nullopt;
}

cache_evictor::result cache_evictor::evict() {
    if (limits_.max_bytes == 0) return {};
    return evict_down_to(static_cast<std::uint64_t>(limits_.low_watermark * static_cast<double>(limits_.max_bytes)));
}

cache_evictor::result cache_evictor::evict_at_least(std::uint64_t bytes) {
    const auto now = bytes_.load();
    const auto bound = static_cast<std::uint64_t>(max_disk_full_fraction * static_cast<double>(now));
    const auto take = std::min(bytes, std::max<std::uint64_t>(bound, 1));
    return evict_down_to(now > take ? now - take : 0);
}

cache_evictor::result cache_evictor::evict_down_to(std::uint64_t target_bytes) {
    result r;
    std::unique_lock run(evicting_, std::try_to_lock);
    if (!run) return r;
    std::vector<std::pair<object_id, entry>> kept;
    try {
        while (bytes_.load() > target_bytes) {
            auto victim = next_victim(kept);
            if (!victim) break;
            auto& [id, e] = *victim;
            // A remover that throws leaves the victim in the store: it goes back with the others.
            kept.emplace_back(id, std::move(e));
            if (!remove_(*digest::parse(kept.back().second.digest))) continue;  // refused: fetching again
            bytes_ -= kept.back().second.size;
            ++r.blobs;
            r.bytes += kept.back().second.size;
            std::lock_guard lock(mutex_);
            free_ids_.push_back(kept.back().first);
            kept.pop_back();
        }
    } catch (...) {
        put_back(kept);
        throw;
    }
    r.kept = put_back(kept);
    evicted_blobs_ += r.blobs;
    evicted_bytes_ += r.bytes;
    return r;
}

cache_evictor::removal cache_evictor::evict_one(const digest& d) {
    std::vector<std::pair<object_id, entry>> taken;
    {
        std::lock_guard lock(mutex_);
        const auto it = ids_.find(d.str());
        if (it == ids_.end()) return removal::absent;
        if (pinned_.count(d.str())) return removal::pinned;
        if (leases_.count(d.str())) return removal::in_use;
        const auto id = it->second;
        policy_->erase(id);
        auto node = entries_.extract(id);
        ids_.erase(it);
        taken.emplace_back(id, std::move(node.mapped()));
    }
    bool removed = false;
    try {
        removed = remove_(d);
    } catch (...) {
        put_back(taken);
        throw;
    }
    if (!removed) {
        put_back(taken);
        return removal::refused;
    }
    const auto size = taken.front().second.size;
    bytes_ -= size;
    ++evicted_blobs_;
    evicted_bytes_ += size;
    std::lock_guard lock(mutex_);
    free_ids_.push_back(taken.front().first);
    return removal::removed;
}

// Returns the entries a run set aside to the policy; how many there were.
std::size_t cache_evictor::put_back(std::vector<std::pair<object_id, entry>>& kept) {
    std::lock_guard lock(mutex_);
    for (auto& [id, e] : kept) {
        if (ids_.count(e.digest)) {  // inserted again meanwhile, and counted again
            bytes_ -= e.size;
            free_ids_.push_back(id);
            continue;
        }
        ids_.emplace(e.digest, id);
        policy_->on_insert(id, e.size);
        entries_.emplace(id, std::move(e));
    }
    return kept.size();
}

}  // namespace strata::storage

// cache_maintenance: keeping the store within its budget: eviction runs past the high watermark,
// room made when the disk fills, pins refreshed before each run, and unused metadata expired.
#pragma once

#include "storage/eviction/cache_evictor.hpp"
#include "storage/eviction/metadata_gc.hpp"
#include "storage/index/metadata_index.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <vector>

namespace strata::storage {

// What maintenance did, for the caller's log. Each may be empty.
struct maintenance_reports {
    std::function<void(const cache_evictor::result&)> evicted;  // a watermark run evicted or kept something
    // A full disk: the run's result, the blob's bytes, the bytes of it that fitted, what was asked for.
    std::function<void(const cache_evictor::result&, std::uint64_t, std::uint64_t, std::uint64_t)> made_room;
    std::function<void(const metadata_gc_report&)> expired;  // metadata expiry removed something
    std::function<void(const char* what, const std::exception&)> failed;
};

// Work that must not run on a request's thread goes through a scheduler (the proxy's blocking
// pool); maybe_evict() and make_room() return at once. At most one watermark run is scheduled
// at a time. Pins are the configured ones plus those stored in the index, resolved again before
// every run (tags move). Thread-safe.
class cache_maintenance {
public:
    using scheduler = std::function<void(std::function<void()>)>;

    // configured_pins: texts that parse_pin accepts. metadata_max_age 0 keeps metadata forever.
    cache_maintenance(cache_evictor& evictor, metadata_index& index, std::vector<std::string> configured_pins,
                      std::chrono::nanoseconds metadata_max_age, scheduler schedule, maintenance_reports reports);

    // Schedules a run down to the low watermark when the store is past its high one.
    void maybe_evict();
    // The disk filled after `fitted` bytes of a blob of `bytes`: schedules evicting the shortfall
    // and 1 MiB to spare, watermarks or not (at most a quarter of the store at once). The
    // shortfall is measured by the failed write, not by free space now, which depends on whether
    // the failed temp file's last reader has closed it yet.
    void make_room(std::uint64_t bytes, std::uint64_t fitted);
    // Evicts to the low watermark now, keeping pinned images. Blocks.
    cache_evictor::result evict_now();
    // Expires tag mappings and manifests unused for metadata_max_age before now_ns. Blocks.
    metadata_gc_report expire_metadata(std::int64_t now_ns);
    bool expires_metadata() const noexcept { return metadata_max_age_.count() > 0; }

private:
    void refresh_pins();
    void run_guarded(const char* what, const std::function<void()>& work) const;

    cache_evictor& evictor_;
    metadata_index& index_;
    std::vector<std::string> configured_pins_;
    std::chrono::nanoseconds metadata_max_age_;
    scheduler schedule_;
    maintenance_reports reports_;
    std::atomic<bool> eviction_scheduled_{false};
};

}  // namespace strata::storage

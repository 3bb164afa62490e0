// cache_maintenance: scheduled eviction runs, room for a full disk, pin refresh, metadata expiry.
#include "storage/eviction/cache_maintenance.hpp"

#include "storage/eviction/pins.hpp"

namespace strata::storage {

cache_maintenance::cache_maintenance(cache_evictor& evictor, metadata_index& index,
                                     std::vector<std::string> configured_pins,
                                     std::chrono::nanoseconds metadata_max_age, scheduler schedule,
                                     maintenance_reports reports)
    : evictor_(evictor), index_(index), configured_pins_(std::move(configured_pins)),
      metadata_max_age_(metadata_max_age), schedule_(std::move(schedule)), reports_(std::move(reports)) {}

void cache_maintenance::run_guarded(const char* what, const std::function<void()>& work) const {
    try {
        work();
    } catch (const std::exception& e) {
        if (reports_.failed) reports_.failed(what, e);
    }
}

void cache_maintenance::maybe_evict() {
    if (!evictor_.over_high_watermark() || eviction_scheduled_.exchange(true)) return;
    schedule_([this] {
        run_guarded("eviction", [this] {
            const auto r = evict_now();
            if ((r.blobs || r.kept) && reports_.evicted) reports_.evicted(r);
        });
        eviction_scheduled_ = false;
    });
}

void cache_maintenance::make_room(std::uint64_t bytes, std::uint64_t fitted) {
    schedule_([this, bytes, fitted] {
        run_guarded("eviction for a full disk", [&] {
            const std::uint64_t shortfall = (bytes > fitted ? bytes - fitted : 0) + (1 << 20);
            refresh_pins();
            const auto r = evictor_.evict_at_least(shortfall);
            if (reports_.made_room) reports_.made_room(r, bytes, fitted, shortfall);
        });
    });
}

void cache_maintenance::refresh_pins() {
    std::vector<pin> pins;
    for (const auto& text : configured_pins_)
        if (auto p = parse_pin(text)) pins.push_back(std::move(*p));
    for (const auto& text : stored_pins(index_))
        if (auto p = parse_pin(text)) pins.push_back(std::move(*p));
    evictor_.set_pinned(pinned_digests(index_, pins));
}

cache_evictor::result cache_maintenance::evict_now() {
    refresh_pins();
    return evictor_.evict();
}

metadata_gc_report cache_maintenance::expire_metadata(std::int64_t now_ns) {
    if (!expires_metadata()) return {};
    const auto report = collect_metadata_garbage(index_, now_ns - metadata_max_age_.count());
    if ((report.tags || report.manifests || report.references || report.referrers) && reports_.expired) reports_.expired(report);
    return report;
}

}  // namespace strata::storage

// upstream_quota: the last rate-limit values seen and the two reasons to spare an upstream.
#include "proxy/upstream/upstream_quota.hpp"

#include "proxy/protocol/rate_limit.hpp"

#include <algorithm>

namespace strata::proxy {

std::chrono::seconds upstream_quota::window_or_minute() const {
    return window_seconds_ ? std::chrono::seconds(std::min<std::uint64_t>(window_seconds_, 86400))
                           : std::chrono::seconds(60);
}

void upstream_quota::observe(unsigned status, std::string_view limit, std::string_view remaining,
                             std::optional<std::chrono::milliseconds> retry_after, clock::time_point now) {
    const auto l = parse_rate_limit(limit);
    const auto r = parse_rate_limit(remaining);
    std::lock_guard lock(mutex_);
    if (l) limit_ = l->count;
    if (r) {
        remaining_ = r->count;
        if (r->window_seconds) window_seconds_ = r->window_seconds;
        else if (l && l->window_seconds) window_seconds_ = l->window_seconds;
        low_until_ = r->count <= floor_ ? now + window_or_minute() : clock::time_point{};
        if (r->count > floor_ && status != 429) throttled_until_ = {};  // pulls are back
    }
    if (status == 429) {
        const auto wait = retry_after ? std::chrono::duration_cast<std::chrono::seconds>(*retry_after) : window_or_minute();
        throttled_until_ = now + std::max(wait, std::chrono::seconds(1));
    }
}

upstream_quota::clock::time_point upstream_quota::sparing_until() const { return std::max(low_until_, throttled_until_); }

bool upstream_quota::sparing(clock::time_point now) const {
    std::lock_guard lock(mutex_);
    return now < sparing_until();
}

upstream_quota::view upstream_quota::at(clock::time_point now) const {
    std::lock_guard lock(mutex_);
    view v{limit_, remaining_, window_seconds_, now < sparing_until(), {}};
    if (v.sparing) v.sparing_for = std::chrono::ceil<std::chrono::seconds>(sparing_until() - now);
    return v;
}

}  // namespace strata::proxy

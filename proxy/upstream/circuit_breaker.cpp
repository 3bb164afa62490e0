// circuit_breaker: consecutive failures, the down period with its growing, jittered backoff, and
// the single probe.
#include "proxy/upstream/circuit_breaker.hpp"

#include <algorithm>

namespace strata::proxy {

circuit_breaker::circuit_breaker(const breaker_config& cfg, std::chrono::milliseconds probe_timeout,
                                 std::uint64_t seed)
    : cfg_(cfg), probe_timeout_(probe_timeout), jitter_(static_cast<std::uint32_t>(seed % 2147483646 + 1)),
      backoff_(cfg.backoff) {}

circuit_breaker::admission circuit_breaker::admit(clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (!down_) return {};
    if (now < down_until_) return {false, false, down_until_};
    if (now < probe_until_) return {false, false, probe_until_};
    probe_until_ = now + probe_timeout_;
    return {true, true, {}};
}

bool circuit_breaker::answered() {
    std::lock_guard lock(mutex_);
    const bool was_down = down_;
    failures_ = 0;
    down_ = false;
    probe_until_ = {};
    backoff_ = cfg_.backoff;
    return was_down;
}

bool circuit_breaker::failed(clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (failures_ < UINT32_MAX) ++failures_;
    const bool was_down = down_;
    // Down already: only a failure while the probe is out means longer (a request let through
    // before the upstream went down, failing late, says nothing new).
    if (down_ ? probe_until_ != clock::time_point{} : cfg_.failures > 0 && failures_ >= cfg_.failures) go_down(now);
    return down_ != was_down;
}

// Down for the current backoff, less up to half of it at random (so that strata replicas do
// not probe in step), and the next backoff twice as long.
void circuit_breaker::go_down(clock::time_point now) {
    if (!down_) ++times_down_;
    down_ = true;
    const auto half = backoff_.count() / 2;
    const auto off = half > 0 ? std::uniform_int_distribution<std::int64_t>(0, half)(jitter_) : 0;
    down_until_ = now + std::chrono::milliseconds(backoff_.count() - off);
    probe_until_ = {};
    backoff_ = std::min(backoff_ * 2, cfg_.max_backoff);
}

circuit_breaker::view circuit_breaker::at(clock::time_point now) const {
    std::lock_guard lock(mutex_);
    view v{down_, failures_, {}, times_down_};
    if (down_) {
        const auto until = std::max(down_until_, probe_until_);
        if (now < until) v.retry_in = std::chrono::ceil<std::chrono::milliseconds>(until - now);
    }
    return v;
}

}  // namespace strata::proxy

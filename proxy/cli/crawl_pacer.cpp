// crawl_pacer: one resume time for refusals, one per upstream for quota, and the stop rule.
#include "proxy/cli/crawl_pacer.hpp"

#include <algorithm>

namespace strata::proxy {
namespace {

constexpr std::chrono::seconds max_backoff{60};

}  // namespace

std::optional<crawl_pacer::clock::time_point> crawl_pacer::next_turn(const std::string& upstream, clock::time_point now) {
    const std::lock_guard lock(mutex_);
    if (!stop_reason_.empty()) return std::nullopt;
    auto turn = std::max(now, resume_at_);
    if (const auto it = sparing_until_.find(upstream); it != sparing_until_.end()) {
        turn = std::max(turn, it->second);
    } else if (!known_.contains(upstream)) {
        for (const auto& [name, until] : sparing_until_) turn = std::max(turn, until);
    }
    if (turn - now > max_pause_) {
        const auto wait = std::chrono::ceil<std::chrono::seconds>(turn - now).count();
        stop_reason_ = "the registry asks for a pause of " + std::to_string(wait) + " s" +
                       (turn > resume_at_ ? " (strata is sparing an upstream's pull quota: " + sparing_names() + ")"
                                          : "") +
                       ", longer than --max-pause " + std::to_string(max_pause_.count()) + " s";
        return std::nullopt;
    }
    return turn;
}

void crawl_pacer::refused(clock::time_point now, std::optional<std::chrono::seconds> retry_after) {
    const std::lock_guard lock(mutex_);
    const auto wait = retry_after ? *retry_after : backoff_;
    if (!retry_after) backoff_ = std::min(backoff_ * 2, max_backoff);
    resume_at_ = std::max(resume_at_, now + wait);
}

void crawl_pacer::answered() {
    const std::lock_guard lock(mutex_);
    backoff_ = std::chrono::seconds{1};
}

void crawl_pacer::quota(const std::string& upstream, bool sparing, std::chrono::seconds sparing_for, clock::time_point now) {
    const std::lock_guard lock(mutex_);
    known_.insert(upstream);
    if (sparing) sparing_until_[upstream] = now + std::max(sparing_for, std::chrono::seconds{1});
    else sparing_until_.erase(upstream);
}

void crawl_pacer::stop(const std::string& reason) {
    const std::lock_guard lock(mutex_);
    if (stop_reason_.empty()) stop_reason_ = reason;
}

std::string crawl_pacer::sparing_names() const {
    std::string names;
    for (const auto& [name, until] : sparing_until_) names += (names.empty() ? "" : ", ") + name;
    return names;
}

std::string crawl_pacer::stop_reason() const {
    const std::lock_guard lock(mutex_);
    return stop_reason_;
}

}  // namespace strata::proxy

// link_shaper: a link of fixed bandwidth, as a clock: when bytes that arrived now have crossed it.
#pragma once

#include <chrono>
#include <cstdint>

namespace strata::proxy {

// Sans-I/O. Bytes cross one at a time at bytes_per_second: a piece that arrives while the link
// is still busy with earlier ones waits for them. Every connection of one node (or every
// connection to one registry) passes through one shaper, so together they share its bandwidth.
// A bandwidth of 0 is no limit. Not thread-safe.
class link_shaper {
public:
    using clock = std::chrono::steady_clock;

    explicit link_shaper(double bytes_per_second = 0) : rate_(bytes_per_second) {}

    // When `bytes` that arrived at `now` have crossed the link: now, or later.
    clock::time_point pass(std::uint64_t bytes, clock::time_point now) {
        if (rate_ <= 0) return now;
        const auto start = free_at_ > now ? free_at_ : now;
        free_at_ = start + std::chrono::duration_cast<clock::duration>(
                               std::chrono::duration<double>(static_cast<double>(bytes) / rate_));
        return free_at_;
    }

private:
    double rate_;
    clock::time_point free_at_{};
};

}  // namespace strata::proxy

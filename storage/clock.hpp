// clock: wall-clock time as strata records it (pull events, index records, statistics).
#pragma once

#include <chrono>
#include <cstdint>

namespace strata::storage {

// Nanoseconds since the Unix epoch, from the system clock.
inline std::int64_t now_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace strata::storage

// not_found_memo: an upstream's "no such tag or manifest" remembered for a few seconds.
#pragma once

#include "proxy/string_hash.hpp"
#include "storage/oci/error.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace strata::proxy {

// So that a herd asking for a missing tag, one after another, makes one upstream request
// (concurrent ones already share one). Within a byte budget: when full, expired answers go, and
// if that is not enough, all of them. Thread-safe; no I/O: tested by feeding it times.
class not_found_memo {
public:
    using clock = std::chrono::steady_clock;

    // ttl 0 remembers nothing.
    not_found_memo(std::chrono::milliseconds ttl, std::size_t byte_budget) : ttl_(ttl), byte_budget_(byte_budget) {}

    // The answer remembered for key while it is fresh.
    std::optional<errc> find(std::string_view key, clock::time_point now) const;
    void remember(std::string_view key, errc answer, clock::time_point now);

    std::size_t bytes() const;
    std::size_t byte_budget() const noexcept { return byte_budget_; }

private:
    struct entry {
        errc answer;
        clock::time_point expires;
    };
    static std::size_t cost(std::string_view key) { return 2 * key.size() + 64; }
    void drop_expired(clock::time_point now);

    const std::chrono::milliseconds ttl_;
    const std::size_t byte_budget_;
    mutable std::mutex mutex_;
    string_map<entry> entries_;
    std::size_t bytes_ = 0;
};

}  // namespace strata::proxy

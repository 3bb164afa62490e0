// admin_guard: who may use the admin API: the token compared in constant time, failures rate-limited.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace strata::proxy {

// Equal contents, in time that depends only on the lengths (never on where they differ).
bool constant_time_equal(std::string_view a, std::string_view b);

// Checks admin requests. With a token, only "Bearer <token>" passes; without one, only loopback
// clients pass. Each client address may fail at most max_failures times per window; further
// attempts in that window are refused unchecked, so a token cannot be guessed at line rate.
// Remembers at most max_clients addresses (the oldest window is dropped first). Thread-safe.
class admin_guard {
public:
    using clock = std::chrono::steady_clock;
    enum class verdict { allowed, denied, throttled };

    static constexpr int max_failures = 10;
    static constexpr std::chrono::seconds window{60};
    static constexpr std::size_t max_clients = 4096;

    explicit admin_guard(std::string token) : token_(std::move(token)) {}

    verdict check(std::string_view authorization, const std::string& client, bool client_is_loopback,
                  clock::time_point now = clock::now());

private:
    struct failures {
        int count = 0;
        clock::time_point since;
    };
    bool throttled_locked(const std::string& client, clock::time_point now);
    void record_failure_locked(const std::string& client, clock::time_point now);

    std::string token_;
    std::mutex mutex_;
    std::map<std::string, failures> failures_;
};

}  // namespace strata::proxy

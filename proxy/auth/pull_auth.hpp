// pull_auth: checks each pull's credentials against the users file, and the user's allowlist.
#pragma once

#include "proxy/auth/pull_users.hpp"
#include "proxy/net.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace strata::proxy {

// Reads the users file (at most 1 MiB); config_error naming the file for anything wrong.
pull_users load_pull_users(const std::string& path, const std::vector<std::string>& known_upstreams);

// Password checks run on a thread of their own, at most max_pending at once (more get "busy": a
// client guessing passwords cannot queue unbounded work). A verified Basic user and password are
// remembered (by their SHA-256, never in clear) for cache_ttl, at most cache_entries of them, so
// a node's next pulls skip the slow hash. Bearer tokens are looked up by their SHA-256.
// Thread-safe.
class pull_auth {
public:
    using clock = std::chrono::steady_clock;
    static constexpr std::size_t max_pending = 64;
    static constexpr std::size_t cache_entries = 4096;
    static constexpr std::chrono::minutes cache_ttl{5};

    enum class outcome { allowed, unauthenticated, denied, busy };
    struct verdict {
        outcome result = outcome::unauthenticated;
        const pull_user* user = nullptr;  // who, when the credentials were good
    };

    explicit pull_auth(pull_users users);
    ~pull_auth();

    // Who authorization (the header's value) names, and whether that user may pull repository
    // through upstream; with upstream empty (the /v2/ ping) only who.
    awaitable<verdict> check(std::string_view authorization, std::string_view upstream, std::string_view repository);

    std::size_t users() const { return users_.size(); }

private:
    using key = std::array<std::uint8_t, 32>;
    struct key_hash {
        std::size_t operator()(const key& k) const noexcept;
    };
    // The user, nullptr for wrong credentials, nullopt when too many checks are pending.
    awaitable<std::optional<const pull_user*>> basic_user(const std::string& name, const std::string& password);
    const pull_user* cached(const key& k, clock::time_point now);
    void remember(const key& k, const pull_user* user, clock::time_point now);

    pull_users users_;
    std::optional<std::string> decoy_;  // a Basic user's hash, checked for unknown names
    asio::thread_pool checks_{1};
    std::atomic<std::size_t> pending_{0};
    std::mutex mutex_;
    std::unordered_map<key, std::pair<const pull_user*, clock::time_point>, key_hash> verified_;
};

}  // namespace strata::proxy

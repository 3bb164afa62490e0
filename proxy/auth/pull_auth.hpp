// pull_auth: checks each pull's credentials against the users file, and the user's allowlist.
#pragma once

#include "proxy/auth/pull_users.hpp"
#include "proxy/net.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace strata::proxy {

// Reads the users file (at most 1 MiB); config_error naming the file for anything wrong.
pull_users load_pull_users(const std::string& path, const std::vector<std::string>& known_upstreams);

// Password checks run on a thread of their own: at most max_pending at once, and at most
// max_pending_per_client from one client address (more get "busy"), so password guessing queues
// bounded work and one source cannot fill the queue. The last password verified for each user is
// remembered (as an HMAC under a key of this process, never in clear) for as long as strata runs
// (the users file does not change under it): a node's pulls pay the slow hash once, and users
// verified before a flood of guesses keep pulling through it. Bearer tokens are looked up by
// their SHA-256. Thread-safe.
class pull_auth {
public:
    static constexpr std::size_t max_pending = 64;
    static constexpr std::size_t max_pending_per_client = 4;

    enum class outcome { allowed, unauthenticated, denied, busy };
    struct verdict {
        outcome result = outcome::unauthenticated;
        const pull_user* user = nullptr;  // who, when the credentials were good
    };

    explicit pull_auth(pull_users users);
    ~pull_auth();

    // Who authorization (the header's value) names, and whether that user may pull repository
    // through upstream; with upstream empty (the /v2/ ping) only who. client is the caller's
    // address, for the per-client cap (a copy: the coroutine outlives a temporary). The views
    // must outlive the returned awaitable.
    awaitable<verdict> check(std::string_view authorization, std::string_view upstream, std::string_view repository,
                             std::string client);

    // Stops the password-check thread: checks not yet started are dropped. Called once the
    // network threads have stopped, before the requests cut off are destroyed.
    void shutdown();

    std::size_t users() const { return users_.size(); }

private:
    using key = std::array<std::uint8_t, 32>;
    // The user, nullptr for wrong credentials, nullopt when too many checks are pending.
    awaitable<std::optional<const pull_user*>> basic_user(const std::string& name, const std::string& password,
                                                          const std::string& client);
    key credential_key(std::string_view name, std::string_view password) const;
    bool verified_before(const pull_user* user, const key& k);
    bool take_slot(const std::string& client);
    void release_slot(const std::string& client);

    pull_users users_;
    std::array<std::uint8_t, 32> hmac_key_{};
    std::mutex mutex_;
    std::map<const pull_user*, key> verified_;       // one entry per user at most
    std::size_t pending_ = 0;
    std::map<std::string, std::size_t> pending_by_client_;  // at most max_pending entries
    std::optional<asio::thread_pool> checks_{std::in_place, 1};  // last: its work refers to the rest
};

}  // namespace strata::proxy

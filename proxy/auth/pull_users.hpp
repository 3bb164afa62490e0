// pull_users: the users file: who may pull, how they prove it, and from where.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::proxy {

struct pull_user {
    std::string name;
    std::string password_hash;                    // crypt(3) form, for Basic; empty for a token user
    std::optional<std::array<std::uint8_t, 32>> token_sha256;  // for Bearer
    std::vector<std::string> upstreams;           // names, or "*" for every upstream
    std::vector<std::string> repositories;        // prefixes (path segments); empty: every repository

    // Whether this user may pull repository through upstream.
    bool allows(std::string_view upstream, std::string_view repository) const;
};

// The users of one strata, read from JSON:
//   {"users": [{"name": "nodes", "password_hash": "$2y$10$...", "upstreams": ["docker.io"],
//               "repositories": ["library/", "myorg"]},
//              {"name": "ci", "token_sha256": "<64 hex digits>", "upstreams": ["*"]}]}
class pull_users {
public:
    // Throws config_error naming the file, the entry and the field: unknown fields, a name or a
    // token twice, both or neither of password_hash and token_sha256, a hash crypt(3) cannot check
    // (htpasswd's default MD5 "$apr1$" among them) or that is too slow, an upstream that is not
    // configured, a repository prefix that is not a repository name.
    static pull_users parse(std::string_view json_text, const std::string& source,
                            const std::vector<std::string>& known_upstreams);

    // The Basic user of that name, if any.
    const pull_user* find_user(std::string_view name) const;
    // The token user whose token hashes to sha256; every entry is compared, in constant time.
    const pull_user* find_token(const std::array<std::uint8_t, 32>& sha256) const;
    // The Basic users' hash that took longest to check when the file was read: what an unknown
    // name is checked against, so it takes no less time than a known one. nullptr without Basic users.
    const std::string* slowest_hash() const { return slowest_ ? &users_[*slowest_].password_hash : nullptr; }
    std::size_t size() const { return users_.size(); }

private:
    std::vector<pull_user> users_;
    std::optional<std::size_t> slowest_;  // index into users_
};

// A repository prefix matches whole path segments: "myorg" and "myorg/" match "myorg/app" but
// not "myorg2/app"; "" matches everything.
bool repository_prefix_matches(std::string_view prefix, std::string_view repository);

}  // namespace strata::proxy

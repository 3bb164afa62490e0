// pull_auth: credentials to a user, off the network threads, with a bounded cache.
#include "proxy/auth/pull_auth.hpp"

#include "proxy/auth/password_hash.hpp"
#include "proxy/auth/pull_credentials.hpp"
#include "proxy/blocking.hpp"
#include "proxy/config/config.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <optional>

namespace strata::proxy {
namespace {

constexpr std::size_t max_users_file_bytes = 1 << 20;

// SHA-256 of a, or of a, a zero byte and b.
std::array<std::uint8_t, 32> sha256_of(std::string_view a, std::optional<std::string_view> b = std::nullopt) {
    std::array<std::uint8_t, 32> out{};
    const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
    EVP_DigestUpdate(ctx.get(), a.data(), a.size());
    if (b) {
        EVP_DigestUpdate(ctx.get(), "\0", 1);
        EVP_DigestUpdate(ctx.get(), b->data(), b->size());
    }
    EVP_DigestFinal_ex(ctx.get(), out.data(), nullptr);
    return out;
}

// Decrements the pending count however the check ends.
struct pending_slot {
    std::atomic<std::size_t>& count;
    ~pending_slot() { --count; }
};

}  // namespace

pull_users load_pull_users(const std::string& path, const std::vector<std::string>& known_upstreams) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw config_error("pull_auth.users_file: cannot read " + path + ": " + std::strerror(errno));
    std::string text(max_users_file_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_users_file_bytes) throw config_error("pull_auth.users_file: " + path + " is over 1 MiB");
    return pull_users::parse(text, path, known_upstreams);
}

std::size_t pull_auth::key_hash::operator()(const key& k) const noexcept {
    std::size_t h;
    std::memcpy(&h, k.data(), sizeof h);  // already a cryptographic hash
    return h;
}

pull_auth::pull_auth(pull_users users) : users_(std::move(users)) {
    if (const auto* any = users_.any_basic_user()) decoy_ = any->password_hash;
}

pull_auth::~pull_auth() { checks_.join(); }

const pull_user* pull_auth::cached(const key& k, clock::time_point now) {
    const std::lock_guard lock(mutex_);
    const auto it = verified_.find(k);
    if (it == verified_.end() || it->second.second <= now) return nullptr;
    return it->second.first;
}

void pull_auth::remember(const key& k, const pull_user* user, clock::time_point now) {
    const std::lock_guard lock(mutex_);
    if (verified_.size() >= cache_entries) std::erase_if(verified_, [now](const auto& e) { return e.second.second <= now; });
    if (verified_.size() >= cache_entries) verified_.clear();  // bounded; a node re-verifies once
    verified_[k] = {user, now + cache_ttl};
}

awaitable<std::optional<const pull_user*>> pull_auth::basic_user(const std::string& name, const std::string& password) {
    const auto* user = users_.find_user(name);
    const auto k = sha256_of(name, password);
    if (const auto* known = cached(k, clock::now())) co_return known;
    if (!decoy_) co_return nullptr;  // no Basic users at all
    if (pending_.fetch_add(1) >= max_pending) {
        --pending_;
        co_return std::nullopt;
    }
    const pending_slot slot{pending_};
    // An unknown name costs a hash too (another user's), so timing does not tell which names exist.
    const std::string& hash = user ? user->password_hash : *decoy_;
    auto check = [&password, &hash] { return password_matches(password, hash); };
    const bool ok = co_await run_blocking(checks_, check);
    if (!ok || !user) co_return nullptr;
    remember(k, user, clock::now());
    co_return user;
}

awaitable<pull_auth::verdict> pull_auth::check(std::string_view authorization, std::string_view upstream,
                                               std::string_view repository) {
    auto credentials = parse_pull_credentials(authorization);
    const pull_user* user = nullptr;
    if (credentials.what == pull_credentials::kind::bearer) {
        user = users_.find_token(sha256_of(credentials.secret));
    } else if (credentials.what == pull_credentials::kind::basic) {
        const auto found = co_await basic_user(credentials.user, credentials.secret);
        if (!found) {
            OPENSSL_cleanse(credentials.secret.data(), credentials.secret.size());
            co_return verdict{outcome::busy, nullptr};
        }
        user = *found;
    }
    OPENSSL_cleanse(credentials.secret.data(), credentials.secret.size());
    if (!user) co_return verdict{outcome::unauthenticated, nullptr};
    if (!upstream.empty() && !user->allows(upstream, repository)) co_return verdict{outcome::denied, user};
    co_return verdict{outcome::allowed, user};
}

}  // namespace strata::proxy

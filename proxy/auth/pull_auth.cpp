// pull_auth: credentials to a user, off the network threads, with bounded queues and a cache.
#include "proxy/auth/pull_auth.hpp"

#include "proxy/auth/password_hash.hpp"
#include "proxy/auth/pull_credentials.hpp"
#include "proxy/blocking.hpp"
#include "proxy/config/config.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstring>
#include <functional>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace strata::proxy {
namespace {

constexpr std::size_t max_users_file_bytes = 1 << 20;

std::array<std::uint8_t, 32> sha256_of(std::string_view text) {
    std::array<std::uint8_t, 32> out{};
    if (EVP_Digest(text.data(), text.size(), out.data(), nullptr, EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
    return out;
}

// Releases a pending check's slots however the check ends.
struct pending_slot {
    std::function<void()> release;
    ~pending_slot() { release(); }
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

pull_auth::pull_auth(pull_users users) : users_(std::move(users)) {
    if (RAND_bytes(hmac_key_.data(), static_cast<int>(hmac_key_.size())) != 1)
        throw std::runtime_error("pull_auth: no random bytes for the credential cache's key");
}

pull_auth::~pull_auth() { shutdown(); }

void pull_auth::shutdown() {
    if (!checks_) return;
    checks_->stop();
    checks_->join();
    checks_.reset();  // checks that never started are destroyed now, while what they refer to lives
}

pull_auth::key pull_auth::credential_key(std::string_view name, std::string_view password) const {
    std::string material;
    material.reserve(name.size() + 1 + password.size());
    material.append(name).push_back('\0');
    material.append(password);
    key out{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), hmac_key_.data(), static_cast<int>(hmac_key_.size()),
         reinterpret_cast<const unsigned char*>(material.data()), material.size(), out.data(), &length);
    OPENSSL_cleanse(material.data(), material.size());
    return out;
}

bool pull_auth::verified_before(const pull_user* user, const key& k) {
    if (!user) return false;
    const std::lock_guard lock(mutex_);
    const auto it = verified_.find(user);
    return it != verified_.end() && CRYPTO_memcmp(it->second.data(), k.data(), k.size()) == 0;
}

bool pull_auth::take_slot(const std::string& client) {
    const std::lock_guard lock(mutex_);
    if (pending_ >= max_pending) return false;
    auto& mine = pending_by_client_[client];
    if (mine >= max_pending_per_client) return false;
    ++mine;
    ++pending_;
    return true;
}

void pull_auth::release_slot(const std::string& client) {
    const std::lock_guard lock(mutex_);
    --pending_;
    const auto it = pending_by_client_.find(client);
    if (it != pending_by_client_.end() && --it->second == 0) pending_by_client_.erase(it);
}

awaitable<std::optional<const pull_user*>> pull_auth::basic_user(const std::string& name, const std::string& password,
                                                                 const std::string& client) {
    const auto* user = users_.find_user(name);
    const auto k = credential_key(name, password);
    if (verified_before(user, k)) co_return user;
    const auto* decoy = users_.slowest_hash();
    if (!decoy) co_return nullptr;  // no Basic users at all
    if (!take_slot(client)) co_return std::nullopt;
    const pending_slot slot{[this, &client] { release_slot(client); }};
    // An unknown name costs the slowest user's hash, so timing does not tell which names exist.
    const std::string& hash = user ? user->password_hash : *decoy;
    auto check = [&password, &hash] { return password_matches(password, hash); };
    const bool ok = co_await run_blocking(*checks_, check);
    if (!ok || !user) co_return nullptr;
    const std::lock_guard lock(mutex_);
    verified_[user] = k;
    co_return user;
}

awaitable<pull_auth::verdict> pull_auth::check(std::string_view authorization, std::string_view upstream,
                                               std::string_view repository, std::string client) {
    auto credentials = parse_pull_credentials(authorization);
    const pull_user* user = nullptr;
    bool busy = false;
    if (credentials.what == pull_credentials::kind::bearer) {
        user = users_.find_token(sha256_of(credentials.secret));
    } else if (credentials.what == pull_credentials::kind::basic) {
        const auto found = co_await basic_user(credentials.user, credentials.secret, client);
        busy = !found;
        user = found.value_or(nullptr);
    }
    OPENSSL_cleanse(credentials.secret.data(), credentials.secret.size());
    if (busy) co_return verdict{outcome::busy, nullptr};
    if (!user) co_return verdict{outcome::unauthenticated, nullptr};
    if (!upstream.empty() && !user->allows(upstream, repository)) co_return verdict{outcome::denied, user};
    co_return verdict{outcome::allowed, user};
}

}  // namespace strata::proxy

// password_hash: libcrypt's crypt_rn with its state on the heap (it is tens of KiB).
#include "proxy/auth/password_hash.hpp"

#include <crypt.h>
#include <openssl/crypto.h>

#include <cstdlib>
#include <memory>
#include <optional>

namespace strata::proxy {
namespace {

bool has_supported_prefix(std::string_view hash) {
    for (std::string_view p : {"$2a$", "$2b$", "$2y$", "$5$", "$6$", "$y$"})
        if (hash.starts_with(p)) return true;
    return false;
}

// bcrypt's cost ("$2b$12$": 2^12 rounds) or sha-crypt's "rounds=N": a hash checked at every pull
// (until cached) must not take seconds. nullopt when the hash names no cost (the defaults).
std::optional<unsigned long> cost_of(std::string_view hash) {
    if (hash.starts_with("$2") && hash.size() >= 7 && hash[6] == '$')
        return std::strtoul(std::string(hash.substr(4, 2)).c_str(), nullptr, 10);
    constexpr std::string_view rounds = "rounds=";
    if ((hash.starts_with("$5$") || hash.starts_with("$6$")) && hash.substr(3).starts_with(rounds))
        return std::strtoul(std::string(hash.substr(3 + rounds.size(), 12)).c_str(), nullptr, 10);
    return std::nullopt;
}

}  // namespace

std::string unsupported_password_hash(std::string_view hash) {
    if (hash.starts_with("$apr1$"))
        return "an MD5 hash ($apr1$, htpasswd's default) is too weak and not accepted: make it with htpasswd -B";
    if (!has_supported_prefix(hash))
        return "not a bcrypt ($2y$, htpasswd -B), sha512-crypt ($6$) or yescrypt ($y$, mkpasswd) hash";
    if (hash.find_first_of(std::string_view("\0:\n", 3)) != std::string_view::npos) return "holds a character no hash has";
    if (const auto cost = cost_of(hash)) {
        if (hash.starts_with("$2") && *cost > 14) return "bcrypt cost above 14 makes every uncached pull wait seconds";
        if (!hash.starts_with("$2") && *cost > 1'000'000) return "more than 1000000 rounds makes every uncached pull wait seconds";
    }
    // A hash crypt cannot parse (a bad cost, a short salt) fails here rather than at every pull.
    auto data = std::make_unique<crypt_data>();
    const std::string setting(hash);
    const char* out = crypt_rn("strata-probe", setting.c_str(), data.get(), sizeof(crypt_data));
    if (!out || out[0] == '*') return "crypt(3) cannot read this hash (cost or salt malformed)";
    // A whole hash gives a result of its own length; a bare setting ("$6$salt") a longer one.
    if (std::string_view(out).size() != hash.size()) return "a salt without its hash, or a hash cut short";
    return {};
}

bool password_matches(std::string_view password, const std::string& hash) {
    if (password.find('\0') != std::string_view::npos) return false;
    auto data = std::make_unique<crypt_data>();
    const std::string phrase(password);
    const char* out = crypt_rn(phrase.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
    if (!out || out[0] == '*') return false;
    const std::string_view computed(out);
    return computed.size() == hash.size() && CRYPTO_memcmp(computed.data(), hash.data(), hash.size()) == 0;
}

}  // namespace strata::proxy

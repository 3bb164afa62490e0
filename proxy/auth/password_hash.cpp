// password_hash: libcrypt's crypt_rn with its state on the heap (it is tens of KiB).
#include "proxy/auth/password_hash.hpp"

#include <crypt.h>
#include <openssl/crypto.h>

#include <cstdlib>
#include <memory>

namespace strata::proxy {
namespace {

bool has_supported_prefix(std::string_view hash) {
    for (std::string_view p : {"$2a$", "$2b$", "$2y$", "$5$", "$6$", "$y$"})
        if (hash.starts_with(p)) return true;
    return false;
}

// What makes the hash too slow to check at every uncached pull, or empty: bcrypt's cost
// ("$2b$12$": 2^12 rounds), sha-crypt's "rounds=N", yescrypt's parameters ("$y$j9T$": the second
// character is log2 of the memory and time, "j9T" being mkpasswd's default).
std::string too_costly(std::string_view hash) {
    if (hash.starts_with("$2") && hash.size() >= 7 && hash[6] == '$') {
        const auto cost = std::strtoul(std::string(hash.substr(4, 2)).c_str(), nullptr, 10);
        if (cost > 12) return "bcrypt cost above 12 makes every uncached pull wait a second or more (htpasswd -B uses 5)";
    }
    constexpr std::string_view rounds = "rounds=";
    if ((hash.starts_with("$5$") || hash.starts_with("$6$")) && hash.substr(3).starts_with(rounds)) {
        const auto n = std::strtoul(std::string(hash.substr(3 + rounds.size(), 12)).c_str(), nullptr, 10);
        if (n > 100'000) return "more than 100000 rounds makes every uncached pull wait (leave rounds= out for the default 5000)";
    }
    if (hash.starts_with("$y$")) {
        constexpr std::string_view itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        const auto params = hash.substr(3, hash.find('$', 3) == std::string_view::npos ? 0 : hash.find('$', 3) - 3);
        if (params.size() != 3 || itoa64.find(params[1]) > itoa64.find('B'))
            return "yescrypt parameters other than mkpasswd's (up to \"jBT\") make every uncached pull slow";
    }
    return {};
}

}  // namespace

std::string unsupported_password_hash(std::string_view hash, std::chrono::nanoseconds* probe_time) {
    if (hash.starts_with("$apr1$"))
        return "an MD5 hash ($apr1$, htpasswd's default) is too weak and not accepted: make it with htpasswd -B";
    if (const auto colon = hash.find(':'); colon != std::string_view::npos && has_supported_prefix(hash.substr(colon + 1)))
        return "a whole htpasswd line: give only the hash, the part after \"" + std::string(hash.substr(0, colon)) + ":\"";
    if (!has_supported_prefix(hash))
        return "not a bcrypt ($2y$, htpasswd -B), sha512-crypt ($6$) or yescrypt ($y$, mkpasswd) hash";
    if (hash.find_first_of(std::string_view("\0:\n", 3)) != std::string_view::npos) return "holds a character no hash has";
    if (auto problem = too_costly(hash); !problem.empty()) return problem;
    // A hash crypt cannot parse (a bad cost, a short salt) fails here rather than at every pull.
    auto data = std::make_unique<crypt_data>();
    const std::string setting(hash);
    const auto started = std::chrono::steady_clock::now();
    const char* out = crypt_rn("strata-probe", setting.c_str(), data.get(), sizeof(crypt_data));
    if (probe_time) *probe_time = std::chrono::steady_clock::now() - started;
    if (!out || out[0] == '*') return "crypt(3) cannot read this hash (cost or salt malformed)";
    // A whole hash gives a result of its own length; a bare setting ("$6$salt") a longer one.
    if (std::string_view(out).size() != hash.size()) return "a salt without its hash, or a hash cut short";
    return {};
}

bool password_matches(std::string_view password, const std::string& hash) {
    if (password.find('\0') != std::string_view::npos) return false;
    auto data = std::make_unique<crypt_data>();
    std::string phrase(password);
    const char* out = crypt_rn(phrase.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
    OPENSSL_cleanse(phrase.data(), phrase.size());
    const std::string_view computed(out ? out : "*");
    const bool match = computed.size() == hash.size() && CRYPTO_memcmp(computed.data(), hash.data(), hash.size()) == 0;
    OPENSSL_cleanse(data.get(), sizeof(crypt_data));
    return match;
}

}  // namespace strata::proxy

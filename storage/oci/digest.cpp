// Digest parsing and SHA-2 hashing with OpenSSL's EVP interface.
#include "storage/oci/digest.hpp"

#include <openssl/evp.h>

#include <optional>
#include <stdexcept>

namespace strata::storage {
namespace {

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool is_algorithm_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '_' ||
           c == '-';
}

bool is_encoded_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '=' ||
           c == '_' || c == '-';
}

bool all_lower_hex(std::string_view s) {
    bool hex = true;
    for (const char c : s) hex &= is_lower_hex(c);
    return hex;
}

// The algorithm a well-formed "<algorithm>:<encoded>" names, if strata knows it.
std::optional<digest_algorithm> known_algorithm(std::string_view name) {
    if (name == "sha256") return digest_algorithm::sha256;
    if (name == "sha512") return digest_algorithm::sha512;
    return std::nullopt;
}

// The grammar of the OCI image spec: algorithm ":" encoded, from their character sets.
bool follows_grammar(std::string_view text, std::size_t colon) {
    constexpr std::size_t max_digest_length = 256;
    if (text.size() > max_digest_length || colon == std::string_view::npos || colon == 0 ||
        colon + 1 == text.size())
        return false;
    for (char c : text.substr(0, colon))
        if (!is_algorithm_char(c)) return false;
    for (char c : text.substr(colon + 1))
        if (!is_encoded_char(c)) return false;
    return true;
}

const EVP_MD* evp_of(digest_algorithm a) { return a == digest_algorithm::sha512 ? EVP_sha512() : EVP_sha256(); }

}  // namespace

std::string_view algorithm_name(digest_algorithm a) noexcept { return a == digest_algorithm::sha512 ? "sha512" : "sha256"; }

std::size_t hash_bytes(digest_algorithm a) noexcept { return a == digest_algorithm::sha512 ? 64 : 32; }

result<digest> digest::parse(std::string_view text) {
    constexpr std::string_view sha256_prefix = "sha256:";
    if (text.size() == sha256_prefix.size() + 64 && text.starts_with(sha256_prefix) &&
        all_lower_hex(text.substr(sha256_prefix.size())))  // one pass for the usual
        return digest(std::string(text), digest_algorithm::sha256);
    const auto colon = text.find(':');
    if (!follows_grammar(text, colon)) return errc::digest_invalid;
    const auto algorithm = known_algorithm(text.substr(0, colon));
    if (!algorithm) return errc::digest_unsupported;
    const auto encoded = text.substr(colon + 1);
    if (encoded.size() != 2 * hash_bytes(*algorithm) || !all_lower_hex(encoded)) return errc::digest_invalid;
    return digest(std::string(text), *algorithm);
}

digest digest::from_bytes(digest_algorithm a, std::span<const unsigned char> bytes) {
    static constexpr char hex_chars[] = "0123456789abcdef";
    std::string text(algorithm_name(a));
    text.push_back(':');
    text.reserve(text.size() + 2 * bytes.size());
    for (unsigned char b : bytes) {
        text.push_back(hex_chars[b >> 4]);
        text.push_back(hex_chars[b & 0xf]);
    }
    return digest(std::move(text), a);
}

struct digest_hasher::state {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~state() { EVP_MD_CTX_free(ctx); }
};

digest_hasher::digest_hasher(digest_algorithm a) : state_(std::make_unique<state>()), algorithm_(a) {
    if (!state_->ctx || EVP_DigestInit_ex(state_->ctx, evp_of(a), nullptr) != 1)
        throw std::runtime_error("OpenSSL could not initialise " + std::string(algorithm_name(a)));
}

digest_hasher::~digest_hasher() = default;

void digest_hasher::update(const void* data, std::size_t size) { EVP_DigestUpdate(state_->ctx, data, size); }

digest digest_hasher::finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(state_->ctx, out, &len);
    return digest::from_bytes(algorithm_, std::span<const unsigned char>(out, len));
}

digest digest_of(std::string_view bytes, digest_algorithm a) {
    digest_hasher hasher(a);
    hasher.update(bytes.data(), bytes.size());
    return hasher.finish();
}

}  // namespace strata::storage

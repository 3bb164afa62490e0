// Digest parsing and SHA-256 hashing with OpenSSL's EVP interface.
#include "storage/oci/digest.hpp"

#include <openssl/evp.h>

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

}  // namespace

result<digest> digest::parse(std::string_view text) {
    constexpr std::string_view sha256_prefix = "sha256:";
    if (text.size() == sha256_prefix.size() + 64 && text.starts_with(sha256_prefix)) {  // one pass for the usual
        bool hex = true;
        for (const char c : text.substr(sha256_prefix.size())) hex &= is_lower_hex(c);
        if (hex) return digest(std::string(text));
    }
    constexpr std::size_t max_digest_length = 256;
    const auto colon = text.find(':');
    if (text.size() > max_digest_length || colon == std::string_view::npos || colon == 0 ||
        colon + 1 == text.size())
        return errc::digest_invalid;
    const auto algorithm = text.substr(0, colon);
    const auto encoded = text.substr(colon + 1);
    for (char c : algorithm)
        if (!is_algorithm_char(c)) return errc::digest_invalid;
    for (char c : encoded)
        if (!is_encoded_char(c)) return errc::digest_invalid;
    if (algorithm != "sha256") return errc::digest_unsupported;
    if (encoded.size() != 64) return errc::digest_invalid;
    for (char c : encoded)
        if (!is_lower_hex(c)) return errc::digest_invalid;
    return digest(std::string(text));
}

digest digest::from_sha256_bytes(const unsigned char (&bytes)[32]) {
    static constexpr char hex_chars[] = "0123456789abcdef";
    std::string text = "sha256:";
    text.reserve(7 + 64);
    for (unsigned char b : bytes) {
        text.push_back(hex_chars[b >> 4]);
        text.push_back(hex_chars[b & 0xf]);
    }
    return digest(std::move(text));
}

struct sha256_hasher::state {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~state() { EVP_MD_CTX_free(ctx); }
};

sha256_hasher::sha256_hasher() : state_(std::make_unique<state>()) {
    if (!state_->ctx || EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL could not initialise SHA-256");
}

sha256_hasher::~sha256_hasher() = default;

void sha256_hasher::update(const void* data, std::size_t size) {
    EVP_DigestUpdate(state_->ctx, data, size);
}

digest sha256_hasher::finish() {
    unsigned char out[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(state_->ctx, out, &len);
    return digest::from_sha256_bytes(out);
}

digest sha256_of(std::string_view bytes) {
    sha256_hasher hasher;
    hasher.update(bytes.data(), bytes.size());
    return hasher.finish();
}

}  // namespace strata::storage

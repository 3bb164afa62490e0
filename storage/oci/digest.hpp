// Content digests ("sha256:<hex>", "sha512:<hex>") and the incremental hash that verifies them.
#pragma once

#include "storage/oci/error.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace strata::storage {

// The algorithms strata can verify: the two the OCI image spec registers.
enum class digest_algorithm : std::uint8_t { sha256, sha512 };

// "sha256" or "sha512": the digest prefix and the blob store's directory name.
std::string_view algorithm_name(digest_algorithm a) noexcept;
// Raw hash length in bytes: 32 or 64.
std::size_t hash_bytes(digest_algorithm a) noexcept;

// A validated digest that knows its algorithm. Other algorithms parse as
// errc::digest_unsupported, because strata cannot verify what it cannot hash.
class digest {
public:
    // Parses "sha256:<64 lowercase hex>" or "sha512:<128 lowercase hex>". Returns digest_invalid
    // for anything that breaks the OCI digest grammar and digest_unsupported for another
    // algorithm.
    static result<digest> parse(std::string_view text);

    // Builds a digest from raw hash bytes; their count must be hash_bytes(a).
    static digest from_bytes(digest_algorithm a, std::span<const unsigned char> bytes);

    const std::string& str() const noexcept { return text_; }
    digest_algorithm algorithm() const noexcept { return algorithm_; }
    // The encoded part after "<algorithm>:"; both prefixes are 7 characters.
    std::string_view hex() const noexcept { return std::string_view(text_).substr(7); }

    friend bool operator==(const digest& a, const digest& b) noexcept { return a.text_ == b.text_; }

private:
    digest(std::string text, digest_algorithm a) : text_(std::move(text)), algorithm_(a) {}
    std::string text_;
    digest_algorithm algorithm_;
};

// Incremental hash over streamed bytes, in the algorithm a digest names. Not thread-safe; one
// per stream.
class digest_hasher {
public:
    explicit digest_hasher(digest_algorithm a = digest_algorithm::sha256);
    ~digest_hasher();
    digest_hasher(const digest_hasher&) = delete;
    digest_hasher& operator=(const digest_hasher&) = delete;

    void update(const void* data, std::size_t size);
    // Finishes the hash; the hasher must not be updated afterwards.
    digest finish();

private:
    struct state;
    std::unique_ptr<state> state_;
    digest_algorithm algorithm_;
};

// Hashes a whole buffer in one call.
digest digest_of(std::string_view bytes, digest_algorithm a);
inline digest sha256_of(std::string_view bytes) { return digest_of(bytes, digest_algorithm::sha256); }

}  // namespace strata::storage

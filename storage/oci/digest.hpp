// Content digests ("sha256:<hex>") and the incremental SHA-256 that verifies them.
#pragma once

#include "storage/oci/error.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace strata::storage {

// A validated sha256 digest. Other algorithms parse as errc::digest_unsupported,
// because strata cannot verify what it cannot hash.
class digest {
public:
    // Parses "sha256:<64 lowercase hex>". Returns digest_invalid for anything that
    // breaks the OCI digest grammar and digest_unsupported for a valid non-sha256 one.
    static result<digest> parse(std::string_view text);

    // Builds a digest from 32 raw hash bytes.
    static digest from_sha256_bytes(const unsigned char (&bytes)[32]);

    const std::string& str() const noexcept { return text_; }
    std::string_view hex() const noexcept { return std::string_view(text_).substr(7); }

    friend bool operator==(const digest&, const digest&) = default;

private:
    explicit digest(std::string text) : text_(std::move(text)) {}
    std::string text_;
};

// Incremental SHA-256 over streamed bytes. Not thread-safe; one per stream.
class sha256_hasher {
public:
    sha256_hasher();
    ~sha256_hasher();
    sha256_hasher(const sha256_hasher&) = delete;
    sha256_hasher& operator=(const sha256_hasher&) = delete;

    void update(const void* data, std::size_t size);
    // Finishes the hash; the hasher must not be updated afterwards.
    digest finish();

private:
    struct state;
    std::unique_ptr<state> state_;
};

// Hashes a whole buffer in one call.
digest sha256_of(std::string_view bytes);

}  // namespace strata::storage

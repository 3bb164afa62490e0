// Tests of digest parsing and SHA-256 hashing.
#include "storage/oci/digest.hpp"

#include "tests/catch_result.hpp"

using strata::errc;
using strata::storage::digest;

namespace {
const std::string empty_sha = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
}

TEST_CASE("digest parses a valid sha256 digest") {
    auto d = digest::parse(empty_sha);
    REQUIRE(d);
    CHECK(d->str() == empty_sha);
    CHECK(d->hex() == empty_sha.substr(7));
}

TEST_CASE("digest rejects malformed input with digest_invalid") {
    for (const char* bad : {"", "sha256", "sha256:", ":abc", "sha256:abc", "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
                            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", "sha256:../../etc/passwd",
                            "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855x",
                            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85/"}) {
        INFO(bad);
        auto d = digest::parse(bad);
        REQUIRE_FALSE(d);
        CHECK(d.error() == errc::digest_invalid);
    }
}

TEST_CASE("digest parses sha512 and knows each digest's algorithm") {
    const std::string sha512 = "sha512:" + std::string(128, 'a');
    auto d = digest::parse(sha512);
    REQUIRE(d);
    CHECK(d->algorithm() == strata::storage::digest_algorithm::sha512);
    CHECK(d->hex() == std::string(128, 'a'));
    CHECK(digest::parse(empty_sha)->algorithm() == strata::storage::digest_algorithm::sha256);
    for (const auto& bad : {"sha512:" + std::string(64, 'a'), "sha512:" + std::string(127, 'a'),
                            "sha512:" + std::string(128, 'A'), "sha256:" + std::string(128, 'a')}) {
        INFO(bad);
        CHECK(digest::parse(bad).error() == errc::digest_invalid);
    }
}

TEST_CASE("digest reports other algorithms as unsupported") {
    for (const char* other : {"md5:d41d8cd98f00b204e9800998ecf8427e", "blake3:abc", "sha384:abc"}) {
        INFO(other);
        auto d = digest::parse(other);
        REQUIRE_FALSE(d);
        CHECK(d.error() == errc::digest_unsupported);
    }
}

TEST_CASE("digest rejects an oversized string") {
    auto d = digest::parse("sha256:" + std::string(100000, 'a'));
    REQUIRE_FALSE(d);
    CHECK(d.error() == errc::digest_invalid);
}

TEST_CASE("digest_hasher matches known answers, incrementally, in both algorithms") {
    CHECK(strata::storage::sha256_of("").str() == empty_sha);
    CHECK(strata::storage::sha256_of("abc").str() ==
          "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    strata::storage::digest_hasher h;
    h.update("a", 1);
    h.update("bc", 2);
    CHECK(h.finish() == strata::storage::sha256_of("abc"));

    using strata::storage::digest_algorithm;
    CHECK(strata::storage::digest_of("abc", digest_algorithm::sha512).str() ==  // FIPS 180-2 example
          "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
          "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    strata::storage::digest_hasher h512(digest_algorithm::sha512);
    h512.update("ab", 2);
    h512.update("c", 1);
    CHECK(h512.finish() == strata::storage::digest_of("abc", digest_algorithm::sha512));
}

// test_hashes: password hashes and a token for the pull authentication tests.
#pragma once

#include <catch2/catch.hpp>

#include <crypt.h>

#include <memory>
#include <string>

namespace strata::test {

// A bcrypt hash of password at the lowest cost, made here by libcrypt.
inline std::string bcrypt(const std::string& password) {
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    REQUIRE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, setting, sizeof setting));
    auto data = std::make_unique<crypt_data>();
    const char* out = crypt_rn(password.c_str(), setting, data.get(), sizeof(crypt_data));
    REQUIRE(out);
    return out;
}

inline constexpr const char* token = "t0ken";
// printf t0ken | sha256sum
inline constexpr const char* token_hex = "b46c09677343261f0b439a472422225e3a230c9c094d6ab16762e2036b597053";

}  // namespace strata::test

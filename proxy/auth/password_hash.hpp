// password_hash: checks a password against a crypt(3) hash (bcrypt, sha512-crypt, yescrypt).
#pragma once

#include <string>
#include <string_view>

namespace strata::proxy {

// Whether crypt(3) here can check hash: bcrypt ($2a$, $2b$, $2y$, as `htpasswd -B` writes),
// sha256/sha512-crypt ($5$, $6$) and yescrypt ($y$, as `mkpasswd` writes). Empty when it can;
// otherwise what is wrong, in words for the users file's author.
std::string unsupported_password_hash(std::string_view hash);

// Whether password hashes to hash; the comparison takes time that depends only on the lengths.
// Slow by design (bcrypt and yescrypt cost tens of milliseconds): never on a network thread.
bool password_matches(std::string_view password, const std::string& hash);

}  // namespace strata::proxy

// password_hash: checks a password against a crypt(3) hash (bcrypt, sha-crypt, yescrypt).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace strata::proxy {

// Whether crypt(3) here can check hash at a cost fit for every uncached pull: bcrypt ($2a$,
// $2b$, $2y$, as `htpasswd -B` writes) up to cost 12, sha256/sha512-crypt ($5$, $6$) up to
// 100000 rounds, yescrypt ($y$, as `mkpasswd` writes) up to its "jBT" parameters. Empty when it
// can; otherwise what is wrong, in words for the users file's author. probe_time, when given,
// gets how long one check took.
std::string unsupported_password_hash(std::string_view hash, std::chrono::nanoseconds* probe_time = nullptr);

// Whether password hashes to hash; the comparison takes time that depends only on the lengths.
// Slow by design (bcrypt and yescrypt cost milliseconds): never on a network thread.
bool password_matches(std::string_view password, const std::string& hash);

}  // namespace strata::proxy

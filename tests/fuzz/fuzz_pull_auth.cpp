// fuzz_pull_auth: the Authorization header of a pull (proxy/auth/pull_credentials) and the users
// file (proxy/auth/pull_users). The first line is the header, the rest the file. config_error is
// how the file is refused; anything else escaping is a bug.
#include "proxy/auth/pull_credentials.hpp"
#include "proxy/auth/pull_users.hpp"
#include "proxy/config/config.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace strata;
using namespace strata::proxy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto [header, file] = fuzz::split_first_line(fuzz::as_text(data, size));
    const auto c = parse_pull_credentials(header);
    if (c.what == pull_credentials::kind::basic) FUZZ_CHECK(!c.user.empty() && c.user.find(':') == std::string::npos);
    if (c.what == pull_credentials::kind::bearer) FUZZ_CHECK(!c.secret.empty() && c.secret.find(' ') == std::string::npos);
    if (c.what == pull_credentials::kind::none) FUZZ_CHECK(c.user.empty() && c.secret.empty());
    try {
        const auto users = pull_users::parse(file, "users.json", {"docker.io", "ghcr.io"});
        // A user read has a name, a way to prove it, and upstreams.
        if (const auto* u = users.find_user(c.user))
            FUZZ_CHECK(u->name == c.user && !u->password_hash.empty() && !u->upstreams.empty());
        if (const auto* hash = users.slowest_hash()) FUZZ_CHECK(hash->starts_with("$"));
    } catch (const config_error&) {
    }
    return 0;
}

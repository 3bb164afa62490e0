// Tests of the pull check as a whole: Basic and Bearer users, the allowlist, the remembered
// password, and the caps on pending password checks.
#include "proxy/auth/pull_auth.hpp"

#include "tests/proxy/auth/test_hashes.hpp"

#include <catch2/catch.hpp>

#include <memory>

using namespace strata::proxy;
using strata::test::bcrypt;
using strata::test::token_hex;

namespace {

pull_auth make_auth() {
    return pull_auth(pull_users::parse(R"({"users": [{"name": "nodes", "password_hash": ")" + bcrypt("s3cret") +
                                           R"(", "upstreams": ["docker.io"], "repositories": ["library"]}]})",
                                       "users.json", {"docker.io", "ghcr.io"}));
}

pull_auth::verdict run_check(asio::io_context& io, pull_auth& auth, const std::string& authorization,
                             const std::string& upstream, const std::string& repository, const std::string& client) {
    std::optional<pull_auth::verdict> out;
    asio::co_spawn(io, auth.check(authorization, upstream, repository, client),
                   [&out](std::exception_ptr e, pull_auth::verdict v) {
                       if (e) std::rethrow_exception(e);
                       out = v;
                   });
    io.restart();
    while (!out) io.run_one();
    return *out;
}

}  // namespace

TEST_CASE("a Basic user passes within their allowlist and is refused outside it") {
    asio::io_context io;
    auto auth = make_auth();
    const auto good = "Basic bm9kZXM6czNjcmV0";  // nodes:s3cret
    CHECK(run_check(io, auth, good, "docker.io", "library/alpine", "10.0.0.1").result == pull_auth::outcome::allowed);
    CHECK(run_check(io, auth, good, "", "", "10.0.0.1").result == pull_auth::outcome::allowed);  // the /v2/ ping
    const auto denied = run_check(io, auth, good, "ghcr.io", "library/alpine", "10.0.0.1");
    CHECK(denied.result == pull_auth::outcome::denied);
    REQUIRE(denied.user);
    CHECK(denied.user->name == "nodes");
    CHECK(run_check(io, auth, good, "docker.io", "other/app", "10.0.0.1").result == pull_auth::outcome::denied);
    for (const char* bad : {"", "Basic bm9kZXM6d3Jvbmc=" /* nodes:wrong */, "Basic bm9ib2R5OnMzY3JldA==" /* nobody:s3cret */,
                            "Bearer t0ken", "Basic !!"})
        CHECK(run_check(io, auth, bad, "docker.io", "library/alpine", "10.0.0.1").result ==
              pull_auth::outcome::unauthenticated);
    // Still remembered after the wrong attempts.
    CHECK(run_check(io, auth, good, "docker.io", "library/alpine", "10.0.0.2").result == pull_auth::outcome::allowed);
}

TEST_CASE("password checks beyond a client's share wait for none: the client is told to retry") {
    asio::io_context io;
    auto auth = make_auth();
    std::vector<std::optional<pull_auth::verdict>> results(pull_auth::max_pending_per_client + 2);
    for (auto& slot : results)
        asio::co_spawn(io, auth.check("Basic bm9kZXM6d3Jvbmc=", "docker.io", "library/alpine", "10.0.0.9"),
                       [&slot](std::exception_ptr, pull_auth::verdict v) { slot = v; });
    io.run();
    std::size_t busy = 0, refused = 0;
    for (const auto& r : results) {
        REQUIRE(r);
        busy += r->result == pull_auth::outcome::busy;
        refused += r->result == pull_auth::outcome::unauthenticated;
    }
    CHECK(busy == 2);
    CHECK(refused == pull_auth::max_pending_per_client);
}

TEST_CASE("bearer tokens are found by their SHA-256") {
    asio::io_context io;
    pull_auth auth(pull_users::parse(R"({"users": [{"name": "ci", "token_sha256": ")" + std::string(token_hex) +
                                         R"(", "upstreams": ["*"]}]})",
                                     "users.json", {"docker.io"}));
    CHECK(run_check(io, auth, "Bearer t0ken", "docker.io", "any/thing", "c").result == pull_auth::outcome::allowed);
    CHECK(run_check(io, auth, "Bearer t0ken2", "docker.io", "any/thing", "c").result ==
          pull_auth::outcome::unauthenticated);
    // No Basic users: a Basic attempt is refused without a password check.
    CHECK(run_check(io, auth, "Basic bm9kZXM6czNjcmV0", "docker.io", "any/thing", "c").result ==
          pull_auth::outcome::unauthenticated);
}

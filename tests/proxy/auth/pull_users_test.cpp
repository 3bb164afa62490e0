// Tests of the pull users file: strict reading with errors that name the entry and field,
// allowlists by upstream and repository prefix, token lookup.
#include "proxy/auth/pull_users.hpp"
#include "proxy/auth/password_hash.hpp"
#include "proxy/config/config.hpp"

#include "tests/proxy/auth/test_hashes.hpp"

#include <catch2/catch.hpp>

#include <memory>

using namespace strata::proxy;
using strata::test::bcrypt;
using strata::test::token_hex;

namespace {

const std::vector<std::string> upstreams{"docker.io", "ghcr.io"};

std::string refusal_of(const std::string& text) {
    try {
        pull_users::parse(text, "users.json", upstreams);
    } catch (const config_error& e) {
        return e.what();
    }
    return "accepted";
}

}  // namespace

TEST_CASE("a users file with Basic and token users is read") {
    const auto hash = bcrypt("s3cret");
    const auto users = pull_users::parse(
        R"({"users": [{"name": "nodes", "password_hash": ")" + hash +
            R"(", "upstreams": ["docker.io"], "repositories": ["library", "team/"]},
                      {"name": "ci", "token_sha256": ")" + std::string(token_hex) + R"(", "upstreams": ["*"]}]})",
        "users.json", upstreams);
    CHECK(users.size() == 2);
    const auto* nodes = users.find_user("nodes");
    REQUIRE(nodes);
    CHECK(password_matches("s3cret", nodes->password_hash));
    CHECK_FALSE(password_matches("s3cret ", nodes->password_hash));
    CHECK_FALSE(password_matches(std::string("s3cret\0x", 8), nodes->password_hash));
    CHECK(users.find_user("ci") == nullptr);  // a token user has no password
    CHECK(users.find_user("nobody") == nullptr);
    REQUIRE(users.slowest_hash());
    CHECK(*users.slowest_hash() == nodes->password_hash);

    std::array<std::uint8_t, 32> token{};
    for (std::size_t i = 0; i < 32; ++i) token[i] = static_cast<std::uint8_t>(std::stoi(std::string(token_hex + 2 * i, 2), nullptr, 16));
    CHECK(users.find_token(token) == &*users.find_token(token));
    REQUIRE(users.find_token(token));
    CHECK(users.find_token(token)->name == "ci");
    token[31] ^= 1;
    CHECK(users.find_token(token) == nullptr);

    CHECK(nodes->allows("docker.io", "library/alpine"));
    CHECK(nodes->allows("docker.io", "team/app"));
    CHECK(nodes->allows("docker.io", "library"));
    CHECK_FALSE(nodes->allows("docker.io", "libraryx/alpine"));
    CHECK_FALSE(nodes->allows("docker.io", "other/app"));
    CHECK_FALSE(nodes->allows("ghcr.io", "library/alpine"));
}

TEST_CASE("repository prefixes match whole path segments") {
    CHECK(repository_prefix_matches("", "anything/at/all"));
    CHECK(repository_prefix_matches("myorg", "myorg/app"));
    CHECK(repository_prefix_matches("myorg/", "myorg/app"));
    CHECK(repository_prefix_matches("myorg", "myorg"));
    CHECK_FALSE(repository_prefix_matches("myorg", "myorg2/app"));
    CHECK_FALSE(repository_prefix_matches("myorg/app", "myorg"));
    CHECK(repository_prefix_matches("my", "my/org/app"));
}

TEST_CASE("mistakes in the users file are refused, naming the file, the entry and the field") {
    const auto hash = bcrypt("x");
    auto user = [&](const std::string& fields) { return R"({"users": [{"name": "a", )" + fields + "}]}"; };
    CHECK(refusal_of("not json") == "users.json: not valid JSON");
    CHECK(refusal_of("[]") == R"(users.json: expected {"users": [...]})");
    CHECK(refusal_of(R"({"users": [], "extra": 1})") == "users.json: extra: unknown field");
    CHECK(refusal_of(R"({"users": [7]})") == "users.json: users[0]: must be an object");
    CHECK(refusal_of(user(R"("upstreams": ["*"])")).find("users[0]: give a password_hash (Basic) or a token_sha256") !=
          std::string::npos);
    CHECK(refusal_of(user(R"("password_hash": ")" + hash + R"(", "token_sha256": ")" + token_hex + R"(", "upstreams": ["*"])"))
              .find("one of the two") != std::string::npos);
    CHECK(refusal_of(user(R"("password_hash": "$apr1$abc$def", "upstreams": ["*"])")).find("make it with htpasswd -B") !=
          std::string::npos);
    CHECK(refusal_of(user(R"("password_hash": "plaintext", "upstreams": ["*"])")).find("users[0].password_hash: not a bcrypt") !=
          std::string::npos);
    CHECK(refusal_of(user(R"("password_hash": "$2b$04$abc", "upstreams": ["*"])"))
              .find("crypt(3) cannot read this hash") != std::string::npos);
    CHECK(refusal_of(user(R"("token_sha256": "ABC", "upstreams": ["*"])")).find("users[0].token_sha256: must be 64") !=
          std::string::npos);
    CHECK(refusal_of(user(R"("token_sha256": ")" + std::string(token_hex) + R"(")")).find("users[0].upstreams: required") !=
          std::string::npos);
    CHECK(refusal_of(user(R"("token_sha256": ")" + std::string(token_hex) + R"(", "upstreams": ["quay.io"])")) ==
          R"(users.json: users[0].upstreams: no upstream is named "quay.io" (configured: docker.io, ghcr.io))");
    CHECK(refusal_of(user(R"("token_sha256": ")" + std::string(token_hex) + R"(", "upstreams": "*")")) ==
          "users.json: users[0].upstreams: must be a list of strings");
    CHECK(refusal_of(user(R"("token_sha256": ")" + std::string(token_hex) + R"(", "upstreams": ["*"], "admin": true)")) ==
          "users.json: users[0].admin: unknown field");
    CHECK(refusal_of(R"({"users": [{"name": "a:b", "token_sha256": ")" + std::string(token_hex) + R"(", "upstreams": ["*"]}]})")
              .find("users[0].name: required") != std::string::npos);
    for (const char* prefix : {"", "*", "MyOrg", "myorg//", "/myorg"})
        CHECK(refusal_of(user(R"("token_sha256": ")" + std::string(token_hex) + R"(", "upstreams": ["*"], "repositories": [")" +
                              prefix + R"("])"))
                  .find("users[0].repositories: \"" + std::string(prefix) + "\" is not a repository name or prefix") !=
              std::string::npos);
    const auto same_token = R"({"users": [{"name": "a", "token_sha256": ")" + std::string(token_hex) +
                            R"(", "upstreams": ["*"]}, {"name": "b", "token_sha256": ")" + std::string(token_hex) +
                            R"(", "upstreams": ["*"]}]})";
    CHECK(refusal_of(same_token) == "users.json: users[1].token_sha256: the same token as another user's");
    const auto twice = R"({"users": [{"name": "a", "token_sha256": ")" + std::string(token_hex) +
                       R"(", "upstreams": ["*"]}, {"name": "a", "password_hash": ")" + hash + R"(", "upstreams": ["*"]}]})";
    CHECK(refusal_of(twice) == R"(users.json: users[1].name: "a" is named twice)");
}

TEST_CASE("password hashes crypt(3) here can check are told from those it cannot") {
    CHECK(unsupported_password_hash(bcrypt("x")).empty());
    CHECK_FALSE(unsupported_password_hash("$1$abc$def").empty());  // MD5-crypt
    CHECK_FALSE(unsupported_password_hash("").empty());
    CHECK(unsupported_password_hash("$6$") == "a salt without its hash, or a hash cut short");
    CHECK(unsupported_password_hash("$2b$31$abcdefghijklmnopqrstuu5Cz6mQNo0kuAZ6hX.v2j8R7Sxr8sQsm").find("cost above 12") !=
          std::string::npos);
    CHECK(unsupported_password_hash("$6$rounds=999999999$salt$x").find("more than 100000 rounds") != std::string::npos);
    CHECK(unsupported_password_hash("$y$jJT$salt$hash").find("yescrypt parameters") != std::string::npos);
    CHECK(unsupported_password_hash("$y$j9T$$hash").find("yescrypt parameters") == std::string::npos);

    const auto whole = bcrypt("x");
    CHECK_FALSE(unsupported_password_hash(whole.substr(0, whole.size() - 3)).empty());
    std::chrono::nanoseconds took{-1};
    CHECK(unsupported_password_hash(whole, &took).empty());
    CHECK(took.count() >= 0);
}

// Tests of `strata serve`'s flags over the configuration file and the defaults.
#include "proxy/cli/flags.hpp"
#include "proxy/cli/serve_command.hpp"
#include "tests/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace strata::proxy;

TEST_CASE("parse_serve_args applies flags over the defaults") {
    const auto c = parse_serve_args({"--listen", "127.0.0.1:0", "--data-dir=/tmp/x", "--upstream",
                                     "registry.test=http://127.0.0.1:5001", "--default-upstream", "registry.test",
                                     "--offline", "--tag-ttl", "7"})
                       .cfg;
    CHECK(c.server.listen == "127.0.0.1:0");
    CHECK(c.cache.data_dir == "/tmp/x");
    CHECK(c.cache.offline);
    CHECK(c.default_upstream == "registry.test");
    REQUIRE(c.find_upstream("registry.test"));
    CHECK(c.find_upstream("registry.test")->tag_ttl == std::chrono::seconds(7));
}

TEST_CASE("parse_serve_args reads --config first, wherever it stands, and the flags over it") {
    strata::test::temp_dir dir;
    const auto file = dir.path / "strata.json";
    std::ofstream(file) << R"({"server": {"listen": "127.0.0.1:7000", "io_threads": 3}, "log_level": "warn"})";
    const auto request = parse_serve_args({"--listen", "127.0.0.1:0", "--config", file.string(), "--no-events"});
    CHECK_FALSE(request.check_only);
    const auto& c = request.cfg;
    CHECK(c.server.listen == "127.0.0.1:0");
    CHECK(c.server.io_threads == 3);
    CHECK(c.log_level == "warn");
    CHECK_FALSE(c.events.enabled);
}

TEST_CASE("serve --check-config asks only for the check, and the check reads the files a configuration names") {
    CHECK(parse_serve_args({"--check-config"}).check_only);
    strata::test::temp_dir dir;
    auto c = parse_serve_args({"--check-config", "--admin-token-file", (dir.path / "missing").string()}).cfg;
    CHECK_THROWS_WITH(check_serve_config(c), Catch::Contains("admin.token_file"));
    c = parse_serve_args({}).cfg;
    CHECK(check_serve_config(c) == 0);
    const auto placeholder = dir.path / "admin-token";
    std::ofstream(placeholder) << "replace-me-with-a-long-random-token\n";
    c = parse_serve_args({"--admin-token-file", placeholder.string()}).cfg;
    CHECK_THROWS_WITH(check_serve_config(c), Catch::Contains("still the example's placeholder"));
}

TEST_CASE("parse_serve_args: a bad command line is a usage error, a bad configuration a config error") {
    CHECK_THROWS_WITH(parse_serve_args({"--bogus"}), "unknown flag --bogus");
    CHECK_THROWS_WITH(parse_serve_args({"--listen"}), "--listen needs a value");
    CHECK_THROWS_WITH(parse_serve_args({"--upstream", "nourl"}), "--upstream wants NAME=URL");
    CHECK_THROWS_AS(parse_serve_args({"--io-threads", "-1"}), usage_error);
    CHECK_THROWS_AS(parse_serve_args({"--offline=yes"}), usage_error);
    CHECK_THROWS_AS(parse_serve_args({"stray"}), usage_error);
    CHECK_THROWS_AS(parse_serve_args({"--config", "/nonexistent/strata.json"}), config_error);
    CHECK_THROWS_AS(parse_serve_args({"--upstream", "x=ftp://host"}), config_error);
    CHECK_THROWS_AS(parse_serve_args({"--listen", "nowhere"}), config_error);
}

// Tests of the one flag parser every command uses, its value readers, and the command frame.
#include "proxy/cli/command_frame.hpp"
#include "proxy/cli/flags.hpp"
#include "proxy/config/config.hpp"

#include <catch2/catch.hpp>

#include <iostream>
#include <sstream>

using namespace strata::proxy;
using args = std::vector<std::string>;

namespace {

struct parsed {
    std::string name;
    std::vector<std::string> labels, operands;
    bool quiet = false;
};

flag_set flags_of(parsed& p) {
    flag_set f;
    f.text("--name", p.name).list("--label", p.labels).toggle("--quiet", p.quiet).operands([&p](const std::string& v) {
        p.operands.push_back(v);
    });
    return f;
}

std::string usage_error_of(const flag_set& f, const args& a) {
    try {
        f.parse(a);
    } catch (const usage_error& e) {
        return e.what();
    }
    return "";
}

// Runs run_command with std::cout and std::cerr captured.
struct captured_run {
    int status = -1;
    std::string out, err;
};

captured_run capture(const args& a, const std::function<int()>& body) {
    std::ostringstream out, err;
    auto* old_out = std::cout.rdbuf(out.rdbuf());
    auto* old_err = std::cerr.rdbuf(err.rdbuf());
    captured_run r;
    r.status = run_command("demo", "usage: strata demo [--name N]\n", a, body);
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

}  // namespace

TEST_CASE("flag_set takes --flag VALUE, --flag=VALUE, switches and operands in order") {
    parsed p;
    flags_of(p).parse({"a", "--name", "x", "--label=k=v", "--quiet", "b", "--label", "-dash", "-", "--", "--name", "c"});
    CHECK(p.name == "x");
    CHECK(p.labels == args{"k=v", "-dash"});
    CHECK(p.quiet);
    CHECK(p.operands == args{"a", "b", "-", "--name", "c"});
}

TEST_CASE("flag_set names the flag at fault") {
    parsed p;
    const auto f = flags_of(p);
    CHECK(usage_error_of(f, {"--bogus"}) == "unknown flag --bogus");
    CHECK(usage_error_of(f, {"--bogus=1"}) == "unknown flag --bogus");
    CHECK(usage_error_of(f, {"--name"}) == "--name needs a value");
    CHECK(usage_error_of(f, {"--quiet=yes"}) == "--quiet takes no value");
    CHECK(usage_error_of(f, {"-x"}) == "unknown flag -x");
    CHECK(usage_error_of(flag_set().text("--name", p.name), {"stray"}) == "unexpected argument 'stray'");
}

TEST_CASE("value readers accept what they say and name the flag otherwise") {
    CHECK(whole_number("--n", "0", 0, 10) == 0);
    CHECK(whole_number("--n", "10", 0, 10) == 10);
    for (const char* bad : {"", "11", "-1", "+1", " 1", "1 ", "1.0", "0x1", "99999999999999999999999"})
        CHECK_THROWS_WITH(whole_number("--n", bad, 0, 10), "--n wants a whole number from 0 to 10");
    CHECK_THROWS_AS(whole_number("--n", "0", 1, 10), usage_error);
    CHECK(number_in("--cut", "0.25", 0, 1) == 0.25);
    for (const char* bad : {"", "nan", "inf", "2", "-0.1", " 0.5", "0.5x"})
        CHECK_THROWS_AS(number_in("--cut", bad, 0, 1), usage_error);
    CHECK(one_of("--format", "csv", {"table", "csv"}) == "csv");
    CHECK_THROWS_WITH(one_of("--format", "xml", {"table", "csv"}), "--format wants one of table, csv, not 'xml'");
    CHECK(key_value("--label", "a=b=c", "KEY=VALUE") == std::pair<std::string, std::string>{"a", "b=c"});
    CHECK(key_value("--label", "a=", "KEY=VALUE").second.empty());
    CHECK_THROWS_WITH(key_value("--label", "=b", "KEY=VALUE"), "--label wants KEY=VALUE");
    CHECK_THROWS_AS(key_value("--label", "ab", "KEY=VALUE"), usage_error);
    CHECK(comma_list(",a,,b,") == args{"a", "b"});
    CHECK(comma_list("").empty());
}

TEST_CASE("run_command: --help anywhere prints the usage and runs nothing") {
    bool ran = false;
    const auto r = capture({"--name", "x", "-h"}, [&] { return ran = true, 0; });
    CHECK_FALSE(ran);
    CHECK(r.status == 0);
    CHECK(r.out == "usage: strata demo [--name N]\n");
    CHECK(r.err.empty());
}

TEST_CASE("run_command turns each kind of failure into its message and exit status") {
    auto r = capture({}, [] { return 7; });
    CHECK(r.status == 7);
    r = capture({}, []() -> int { throw usage_error("--name needs a value"); });
    CHECK(r.status == 2);
    CHECK(r.err == "strata demo: --name needs a value\nusage: strata demo [--name N]\n");
    r = capture({}, []() -> int { throw config_error("server.listen: not HOST:PORT"); });
    CHECK(r.status == 2);
    CHECK(r.err == "strata demo: configuration error: server.listen: not HOST:PORT\n");
    r = capture({}, []() -> int { throw std::invalid_argument("no strata store in /x"); });
    CHECK(r.status == 2);
    CHECK(r.err == "strata demo: no strata store in /x\n");
    r = capture({}, []() -> int { throw std::runtime_error("cannot reach strata at 127.0.0.1:5000"); });
    CHECK(r.status == 1);
    CHECK(r.err == "strata demo: cannot reach strata at 127.0.0.1:5000\n");
    CHECK(r.out.empty());
}

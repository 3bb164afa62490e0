// Tests of pull plans: flags' parsers, plan files, and the whole-plan check.
#include "proxy/bench/pull_plan.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;
using namespace std::chrono_literals;

namespace {

void refused(const std::function<void()>& f, const char* why) {
    try {
        f();
        FAIL("accepted");
    } catch (const std::invalid_argument& e) {
        CHECK_THAT(e.what(), Catch::Contains(why));
    }
}

pull_plan good_plan() {
    pull_plan p;
    p.registries = {{"local", "http://127.0.0.1:5000"}};
    p.images = {"bench/1gb-4:s1"};
    return p;
}

}  // namespace

TEST_CASE("plan values parse as people write them") {
    CHECK(parse_node_counts("nodes", "1,8,32,64") == std::vector<unsigned>{1, 8, 32, 64});
    CHECK(parse_concurrency("concurrency", "1,3,all") == std::vector<unsigned>{1, 3, 0});
    CHECK(parse_bandwidth("bw", "100MB/s") == Approx(1e8));
    CHECK(parse_rtt("rtt", "20ms") == 20ms);
    CHECK(parse_unpack("extract") == unpack_mode::extract);
    CHECK(parse_strategy("proxy-prewarmed") == pull_strategy::proxy_prewarmed);
    CHECK(strategy_name(pull_strategy::two_tier) == "two-tier");
    const auto named = parse_bench_registry("hub=https://registry.example");
    CHECK(named.name == "hub");
    CHECK(named.url == "https://registry.example");
    CHECK(parse_bench_registry("http://127.0.0.1:5000").name == "127.0.0.1:5000");
}

TEST_CASE("impossible plan values are refused with the value named") {
    refused([] { parse_node_counts("nodes", "0"); }, "'0' is not a whole number from 1 to 4096");
    refused([] { parse_node_counts("nodes", "5000"); }, "from 1 to 4096");
    refused([] { parse_node_counts("nodes", ""); }, "no node counts");
    refused([] { parse_concurrency("concurrency", "some"); }, "'some'");
    refused([] { parse_bandwidth("bw", "-5MB/s"); }, "not a bandwidth");
    refused([] { parse_bandwidth("bw", "10"); }, "at least 1 KiB/s");
    refused([] { parse_rtt("rtt", "1h"); }, "from 0 to 10s");
    refused([] { parse_unpack("unzip"); }, "none, decompress, extract");
    refused([] { parse_strategy("p2p"); }, "not one of direct");
}

TEST_CASE("a plan file sets what flags set, and names a bad key") {
    pull_plan p;
    read_plan_json(nlohmann::json::parse(R"({"registries": {"local": "http://127.0.0.1:5000"},
        "images": ["a/b:1", "c/d:2"], "strategies": "direct,proxy-cold", "nodes": [1, 16],
        "concurrency": [3, "all"], "node_bandwidth": "1250MB/s", "upstream_rtt": "20ms", "unpack": "decompress"})"),
                   p);
    CHECK(p.registries.size() == 1);
    CHECK(p.images == std::vector<std::string>{"a/b:1", "c/d:2"});
    CHECK(p.strategies == std::vector<pull_strategy>{pull_strategy::direct, pull_strategy::proxy_cold});
    CHECK(p.nodes == std::vector<unsigned>{1, 16});
    CHECK(p.concurrency == std::vector<unsigned>{3, 0});
    CHECK(p.node_bandwidth == Approx(1.25e9));
    CHECK(p.upstream_rtt == 20ms);
    CHECK(p.unpack == unpack_mode::decompress);
    refused([&] { read_plan_json(nlohmann::json::parse(R"({"nodez": [1]})"), p); }, "unknown plan key 'nodez'");
    refused([&] { read_plan_json(nlohmann::json::parse(R"({"nodes": {"a": 1}})"), p); }, "nodes: wants");
    refused([&] { read_plan_json(nlohmann::json::parse(R"({"registries": {"x": 5}})"), p); }, "registries.x");
    refused([&] { read_plan_json(nlohmann::json::parse(R"([1])"), p); }, "JSON object");
    read_plan_json(nlohmann::json::parse(R"({"kernel_shaping": true})"), p);
    CHECK(p.kernel_shaping);
    refused([&] { read_plan_json(nlohmann::json::parse(R"({"kernel_shaping": "yes"})"), p); }, "kernel_shaping: wants true or false");
}

TEST_CASE("kernel shaping is for a registry link with a rate") {
    auto p = good_plan();
    p.kernel_shaping = true;
    refused([&] { check_plan(p); }, "--kernel-shaping shapes the registry's link: give its rate with --upstream-bandwidth");
    p.upstream_bandwidth = 1e6;
    CHECK_NOTHROW(check_plan(p));
    p.registries.push_back({"tls", "https://registry.example"});
    refused([&] { check_plan(p); }, "registry 'tls': upstream shaping needs an http registry");
}

TEST_CASE("a plan is checked whole, every fault listed") {
    CHECK_NOTHROW(check_plan(good_plan()));
    refused([] { check_plan(pull_plan{}); }, "no registry given");
    refused([] { check_plan(pull_plan{}); }, "no image given");
    auto p = good_plan();
    p.images.push_back("Bad Name:1");
    p.registries.push_back({"tls", "https://registry.example"});
    p.upstream_bandwidth = 1e6;
    p.proxy_url = "https://strata.example";
    try {
        check_plan(p);
        FAIL("accepted");
    } catch (const std::invalid_argument& e) {
        const std::string what = e.what();
        CHECK_THAT(what, Catch::Contains("image 'Bad Name:1'"));
        CHECK_THAT(what, Catch::Contains("registry 'tls': upstream shaping needs an http registry"));
        CHECK_THAT(what, Catch::Contains("--proxy"));
    }
    p = good_plan();
    p.registries[0].url = "ftp://x";
    refused([&] { check_plan(p); }, "not a URL");
    p = good_plan();
    p.images = {"bench/app@sha256:" + std::string(64, 'a'), "library/alpine"};
    CHECK_NOTHROW(check_plan(p));
}

TEST_CASE("registry names and the run id are label values; a message shows the user's text escaped") {
    auto p = good_plan();
    p.registries.push_back({"a,b=c", "http://127.0.0.1:5001"});
    refused([&] { check_plan(p); }, "registry 'a,b=c': a name is at most 300 visible ASCII characters, without a comma or '='");
    p = good_plan();
    p.registries[0].name = std::string(301, 'r');
    refused([&] { check_plan(p); }, "a name is at most 300");
    p.registries[0] = parse_bench_registry("http://[::1]:5000");
    const auto longest_host = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                              std::string(61, 'd');  // 253 characters, a DNS name's limit
    p.registries.push_back(parse_bench_registry("http://" + longest_host + ":5000"));
    CHECK(p.registries[1].name == longest_host + ":5000");
    CHECK_NOTHROW(check_plan(p));
    p = good_plan();
    p.run_id = "run=1";
    refused([&] { check_plan(p); }, "--run-id 'run=1' must be at most 128 letters, digits and . _ : -");
    p.run_id = std::string(129, 'x');
    refused([&] { check_plan(p); }, "must be at most 128");
    p.run_id = "2026-11-28.a:b_c";
    CHECK_NOTHROW(check_plan(p));
    p = good_plan();
    p.images = {"x\n\x1b[2Jforged line"};
    refused([&] { check_plan(p); }, "image 'x\\n\\x1b[2Jforged line' is not");
    refused([] { parse_unpack(std::string(300, 'u')); }, std::string("'" + std::string(200, 'u') + "...' is not one of").c_str());
    refused([&] { read_plan_json(nlohmann::json::parse("{\"\\u001b]0;x\": 1}"), p); }, "unknown plan key '\\x1b]0;x'");
}

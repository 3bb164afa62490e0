// Tests of remembered upstream 404s: their lifetime, their byte budget, and a zero TTL.
#include "proxy/registry/not_found_memo.hpp"

#include <catch2/catch.hpp>

using namespace strata;
using namespace strata::proxy;
using namespace std::chrono_literals;

namespace {
const not_found_memo::clock::time_point t0{std::chrono::hours(1000)};
}

TEST_CASE("a remembered 404 is answered until its TTL has passed") {
    not_found_memo memo(5000ms, 1 << 20);
    CHECK_FALSE(memo.find("docker.io/team/app:v9|*", t0));
    memo.remember("docker.io/team/app:v9|*", errc::manifest_unknown, t0);
    memo.remember("docker.io/nope:v1|*", errc::name_unknown, t0);
    CHECK(memo.find("docker.io/team/app:v9|*", t0 + 4999ms) == errc::manifest_unknown);
    CHECK(memo.find("docker.io/nope:v1|*", t0) == errc::name_unknown);
    CHECK_FALSE(memo.find("docker.io/team/app:v9|*", t0 + 5000ms));
    memo.remember("docker.io/team/app:v9|*", errc::manifest_unknown, t0 + 6s);  // asked again: 5 s more
    CHECK(memo.find("docker.io/team/app:v9|*", t0 + 10s) == errc::manifest_unknown);
    CHECK(memo.bytes() > 0);
}

TEST_CASE("remembered 404s stay within their byte budget") {
    not_found_memo memo(1h, 4096);
    for (int i = 0; i < 1000; ++i) {
        memo.remember("upstream/repo:tag-" + std::to_string(i), errc::manifest_unknown, t0);
        CHECK(memo.bytes() <= 4096);
    }
    CHECK(memo.find("upstream/repo:tag-999", t0) == errc::manifest_unknown);
    memo.remember(std::string(5000, 'k'), errc::manifest_unknown, t0);  // larger than the budget
    CHECK_FALSE(memo.find(std::string(5000, 'k'), t0));
    // Expired entries make room before the rest are dropped.
    not_found_memo aging(1s, 160);  // two entries of 74 bytes
    aging.remember("old-1", errc::manifest_unknown, t0);
    aging.remember("fresh", errc::manifest_unknown, t0 + 1500ms);
    aging.remember("old-2", errc::manifest_unknown, t0 + 2s);  // old-1 has expired by now: it goes
    CHECK(aging.find("fresh", t0 + 2s) == errc::manifest_unknown);
    CHECK(aging.find("old-2", t0 + 2s) == errc::manifest_unknown);
    CHECK(aging.bytes() == 148);
}

TEST_CASE("a zero TTL remembers nothing") {
    not_found_memo memo(0ms, 1 << 20);
    memo.remember("k", errc::manifest_unknown, t0);
    CHECK_FALSE(memo.find("k", t0));
    CHECK(memo.bytes() == 0);
}

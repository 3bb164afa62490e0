// Tests of the in-memory manifest LRU.
#include "proxy/registry/manifest_cache.hpp"

#include "tests/catch_result.hpp"

#include <atomic>
#include <thread>

using namespace strata::proxy;

TEST_CASE("manifest_cache evicts the least recently used entry") {
    manifest_cache cache(2);
    auto make = [](const char* d) { return std::make_shared<const cached_manifest>(cached_manifest{d, "t", "b"}); };
    cache.insert(make("a"));
    cache.insert(make("b"));
    CHECK(cache.find("a"));  // a is now most recent
    cache.insert(make("c"));
    CHECK(cache.find("a"));
    CHECK_FALSE(cache.find("b"));
    CHECK(cache.find("c"));
    manifest_cache disabled(0);
    disabled.insert(make("a"));
    CHECK_FALSE(disabled.find("a"));
}

TEST_CASE("manifest_cache stays within its byte budget, oldest first") {
    auto make = [](const char* d, std::size_t n) {
        return std::make_shared<const cached_manifest>(cached_manifest{d, "t", std::string(n, 'x')});
    };
    const auto one = memory_cost(*make("a", 1000));
    manifest_cache cache(100, 2 * one + one / 2);
    cache.insert(make("a", 1000));
    cache.insert(make("b", 1000));
    CHECK(cache.bytes() == 2 * one);
    cache.insert(make("c", 1000));  // over budget: a, the least recently used, goes
    CHECK_FALSE(cache.find("a"));
    CHECK(cache.find("b"));
    CHECK(cache.find("c"));
    CHECK(cache.bytes() == 2 * one);
    cache.insert(make("huge", 10000));  // bigger than the whole budget: never kept, nothing evicted
    CHECK_FALSE(cache.find("huge"));
    CHECK(cache.find("b"));
    CHECK(cache.bytes() <= cache.byte_budget());
}

TEST_CASE("a cached manifest's response head is built once, and only from header-safe values") {
    const auto m = make_cached_manifest("sha256:" + std::string(64, 'a'), "application/vnd.oci.image.manifest.v1+json", "{}");
    CHECK(m->response_head ==
          "Server: strata\r\nDocker-Distribution-API-Version: registry/2.0\r\n"
          "Content-Type: application/vnd.oci.image.manifest.v1+json\r\nDocker-Content-Digest: sha256:" +
              std::string(64, 'a') + "\r\nETag: \"sha256:" + std::string(64, 'a') + "\"\r\nContent-Length: 2\r\n");
    CHECK(memory_cost(*m) > m->response_head.size() + m->body.size());
    CHECK(make_cached_manifest("sha256:abc", "text/plain\r\nX-Evil: 1", "{}")->response_head.empty());
    CHECK(make_cached_manifest("sha256:a b", "text/plain", "{}")->response_head.empty());
}

TEST_CASE("manifest_cache gives an entry hit since it was last passed over a second chance") {
    manifest_cache cache(3);
    auto make = [](const char* d) { return std::make_shared<const cached_manifest>(cached_manifest{d, "t", "b"}); };
    for (const char* d : {"a", "b", "c"}) cache.insert(make(d));
    CHECK(cache.find("a"));
    CHECK(cache.find("b"));
    cache.insert(make("d"));  // a and b were hit: c, the oldest not hit, goes
    CHECK_FALSE(cache.find("c"));
    cache.insert(make("e"));  // a and b went to the front when passed over: d is the oldest now
    CHECK_FALSE(cache.find("d"));
    for (const char* d : {"a", "b", "e"}) CHECK(cache.find(d));
}

TEST_CASE("manifest_cache lookups on several threads while entries come and go stay within bounds") {
    manifest_cache cache(8, 4000);
    auto make = [](int i) {
        return std::make_shared<const cached_manifest>(cached_manifest{std::to_string(i % 32), "t", std::string(100, 'x')});
    };
    std::atomic<bool> done{false};
    std::atomic<int> found{0};
    auto reader = [&] {
        while (!done)
            for (int i = 0; i < 32; ++i)
                if (auto m = cache.find(std::to_string(i))) found += m->digest == std::to_string(i);
    };
    std::thread r1(reader), r2(reader);
    // Until the readers have had their turn too: on a loaded machine they may not run at all
    // during the first 20,000 inserts.
    for (int i = 0; i < 20000 || found == 0; ++i) {
        cache.insert(make(i));
        REQUIRE(cache.bytes() <= cache.byte_budget());
    }
    done = true;
    r1.join();
    r2.join();
    CHECK(found > 0);
}

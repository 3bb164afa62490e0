// Tests of the in-memory manifest LRU.
#include "proxy/manifest_cache.hpp"

#include "tests/catch_result.hpp"

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

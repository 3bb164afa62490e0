// Every simulated policy against a plain reference cache on random traces (objects bigger
// than the cache, objects over 4 GiB, watermarks, expiry, offline bounds): the same hit/miss
// sequence request by request.
#include "analytics/simulator/cache.hpp"

#include "tests/analytics/simulator/reference_cache.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>

using namespace strata::analytics;
using strata::storage::object_id;

using testing::reference_cache;

TEST_CASE("every simulated policy gives the reference cache's hits and misses") {
    for (const auto& name : sim_policy_names()) {
        for (unsigned seed = 1; seed <= 12; ++seed) {
            INFO(name << " seed " << seed);
            std::mt19937_64 rng(seed);
            const bool huge = seed % 3 == 0;  // sizes past 4 GiB, capacity in GiB
            const std::uint32_t objects = 40 + static_cast<std::uint32_t>(rng() % 40);
            std::vector<std::uint64_t> sizes(objects);
            for (auto& s : sizes) s = huge ? (rng() % 9) << 30 | rng() % 1000 : 1 + rng() % (rng() % 5 ? 300 : 4000);
            sim_cache_limits limits;
            limits.capacity = huge ? 20ull << 30 : 2000;  // some objects never fit
            if (seed % 2) limits.high = 0.9, limits.low = 0.7;
            if (seed % 4 == 1) limits.admit_max = huge ? 6ull << 30 : 1500;
            limits.ttl_s = 50;
            std::vector<std::uint32_t> trace(2500);
            for (auto& o : trace) o = static_cast<std::uint32_t>(rng() % 3 ? rng() % (objects / 3) : rng() % objects);
            std::vector<std::uint64_t> next(trace.size(), never);
            std::map<std::uint32_t, std::uint64_t> seen;
            for (std::size_t i = trace.size(); i-- > 0;) {
                if (const auto it = seen.find(trace[i]); it != seen.end()) next[i] = it->second;
                seen[trace[i]] = i;
            }
            const auto policy = *parse_sim_policy(name);
            sim_cache cache(policy, limits, sizes);
            reference_cache model(policy, limits, sizes);
            std::size_t hits = 0;
            for (std::size_t i = 0; i < trace.size(); ++i) {
                const double time = static_cast<double>(i) * 0.1;
                const bool got = cache.request(trace[i], time, next[i]);
                REQUIRE(got == model.request(trace[i], time, next[i]));
                hits += got;
            }
            CHECK(hits > 0);
            CHECK(cache.used_bytes() <= limits.capacity);
        }
    }
}

TEST_CASE("Belady bounds the other policies on the same trace") {
    std::mt19937_64 rng(7);
    std::vector<std::uint64_t> sizes(200, 1);  // unit sizes: Belady is optimal for object hits
    std::vector<std::uint32_t> trace(20000);
    for (auto& o : trace) o = static_cast<std::uint32_t>(rng() % 3 ? rng() % 40 : rng() % 200);
    std::vector<std::uint64_t> next(trace.size(), never);
    std::map<std::uint32_t, std::uint64_t> seen;
    for (std::size_t i = trace.size(); i-- > 0;) {
        if (const auto it = seen.find(trace[i]); it != seen.end()) next[i] = it->second;
        seen[trace[i]] = i;
    }
    const auto hits = [&](const std::string& name) {
        sim_cache cache(*parse_sim_policy(name), {.capacity = 30}, sizes);
        std::size_t h = 0;
        for (std::size_t i = 0; i < trace.size(); ++i) h += cache.request(trace[i], 0, next[i]);
        return h;
    };
    const auto best = hits("belady");
    for (const auto& name : sim_policy_names()) {
        INFO(name);
        CHECK(hits(name) <= best);
    }
}

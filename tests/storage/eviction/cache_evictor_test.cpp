// Tests of the cache evictor: watermarks, leases, pins, a refusing remover, the byte count
// during removal and restored state; and of pin names.
#include "storage/eviction/cache_evictor.hpp"
#include "storage/eviction/pins.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <set>

using namespace strata::storage;

namespace {

digest nth(int n) { return sha256_of(std::to_string(n)); }

struct removal_log {
    std::vector<std::string> removed;
    std::set<std::string> refuse;
    cache_evictor::remover remover() {
        return [this](const digest& d) {
            if (refuse.count(d.str())) return false;
            removed.push_back(d.str());
            return true;
        };
    }
};

}  // namespace

TEST_CASE("the evictor runs from the high watermark down to the low one, oldest first under LRU") {
    removal_log log;
    cache_evictor e(eviction_kind::lru, {1000, 0.9, 0.5}, log.remover());
    for (int i = 1; i <= 9; ++i) e.inserted(nth(i), 100);
    CHECK_FALSE(e.over_high_watermark());  // 900 is not past 900
    e.accessed(nth(1));
    e.inserted(nth(10), 100);  // 1000 > 900
    REQUIRE(e.over_high_watermark());
    const auto r = e.evict();
    CHECK(r.blobs == 5);
    CHECK(r.bytes == 500);
    CHECK(e.bytes() == 500);
    CHECK(log.removed == std::vector<std::string>{nth(2).str(), nth(3).str(), nth(4).str(), nth(5).str(), nth(6).str()});
    CHECK(e.evicted_blobs() == 5);
}

TEST_CASE("sha512 blobs are counted and evicted beside sha256 ones, each removed by its own digest") {
    removal_log log;
    cache_evictor e(eviction_kind::lru, {1000, 0.9, 0.5}, log.remover());
    const auto big = digest_of("sha512 layer", digest_algorithm::sha512);
    e.inserted(big, 400);
    for (int i = 1; i <= 6; ++i) e.inserted(nth(i), 100);
    REQUIRE(e.over_high_watermark());
    const auto r = e.evict();
    CHECK(r.bytes == 500);
    CHECK(log.removed == std::vector<std::string>{big.str(), nth(1).str()});
}

TEST_CASE("a blob's bytes stay counted until its remover has deleted it") {
    std::vector<std::uint64_t> counted_during_removal;
    cache_evictor* self = nullptr;
    cache_evictor e(eviction_kind::lru, {1000, 0.9, 0.5}, [&](const digest&) {
        counted_during_removal.push_back(self->bytes());
        return true;
    });
    self = &e;
    for (int i = 1; i <= 10; ++i) e.inserted(nth(i), 100);
    CHECK(e.evict().blobs == 5);
    CHECK(counted_during_removal == std::vector<std::uint64_t>{1000, 900, 800, 700, 600});
    CHECK(e.bytes() == 500);
}

TEST_CASE("leased, pinned and refused blobs are kept and stay evictable later") {
    removal_log log;
    cache_evictor e(eviction_kind::fifo, {1000, 0.9, 0.5}, log.remover());
    for (int i = 1; i <= 10; ++i) e.inserted(nth(i), 100);
    e.set_pinned({nth(1).str()});
    log.refuse.insert(nth(3).str());
    {
        const auto lease = e.hold(nth(2));
        const auto r = e.evict();
        CHECK(r.kept == 3);
        CHECK(log.removed == std::vector<std::string>{nth(4).str(), nth(5).str(), nth(6).str(), nth(7).str(), nth(8).str()});
    }
    CHECK(e.objects() == 5);
    e.set_pinned({});
    log.refuse.clear();
    e.inserted(nth(11), 500);  // 1000 again
    log.removed.clear();
    e.evict();
    // Blobs 9 and 10 are now the oldest in the FIFO; the kept ones went back in as new.
    CHECK(log.removed.front() == nth(9).str());
    CHECK(e.bytes() <= 500);
}

TEST_CASE("an unbounded store never evicts") {
    removal_log log;
    cache_evictor e(eviction_kind::lru, {}, log.remover());
    for (int i = 1; i <= 100; ++i) e.inserted(nth(i), 1ull << 40);
    CHECK_FALSE(e.over_high_watermark());
    CHECK(e.evict().blobs == 0);
    CHECK(e.bytes() == 100ull << 40);
}

TEST_CASE("restored LRU state follows the index's last access times") {
    const auto dir = std::filesystem::temp_directory_path() / ("strata-evictor-test-" + std::to_string(::getpid()));
    {
        metadata_index index(dir);
        // Inserted 1, 2, 3; last used 2, 3, 1.
        index.put_blob(nth(1), {100, "", 10, 300, 4});
        index.put_blob(nth(2), {100, "", 20, 100, 1});
        index.put_blob(nth(3), {100, "", 30, 200, 2});
        removal_log log;
        cache_evictor e(eviction_kind::lru, {300, 0.5, 0.1}, log.remover());
        e.restore(index);
        CHECK(e.objects() == 3);
        CHECK(e.bytes() == 300);
        e.evict();
        CHECK(log.removed == std::vector<std::string>{nth(2).str(), nth(3).str(), nth(1).str()});
        removal_log fifo_log;
        cache_evictor f(eviction_kind::fifo, {300, 0.5, 0.1}, fifo_log.remover());
        f.restore(index);
        f.evict();
        CHECK(fifo_log.removed == std::vector<std::string>{nth(1).str(), nth(2).str(), nth(3).str()});
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("pin names: upstream, repository and a tag or digest") {
    auto p = parse_pin("ghcr.io/org/app:v1");
    REQUIRE(p);
    CHECK(p->repo.upstream == "ghcr.io");
    CHECK(p->repo.repository == "org/app");
    CHECK(p->reference.str() == "v1");
    p = parse_pin("registry.local:5000/team/app");
    REQUIRE(p);
    CHECK(p->repo.upstream == "registry.local:5000");
    CHECK(p->reference.str() == "latest");
    p = parse_pin("docker.io/library/ubuntu@" + nth(1).str());
    REQUIRE(p);
    CHECK(p->reference.is_digest());
    for (const char* bad : {"", "ubuntu", "/org/app", "ghcr.io/", "ghcr.io/Org/app", "ghcr.io/org/app:", "ghcr.io/org/app@sha256:xyz",
                            "ghcr.io/org/app:bad tag"}) {
        INFO(bad);
        CHECK_FALSE(parse_pin(bad));
    }
}

TEST_CASE("a disk-full eviction takes only the shortfall, and never more than a quarter of the store at once") {
    removal_log log;
    cache_evictor e(eviction_kind::lru, {0, 0.9, 0.5}, log.remover());
    for (int i = 1; i <= 100; ++i) e.inserted(nth(i), 100);  // 10,000 bytes
    auto r = e.evict_at_least(250);
    CHECK(r.bytes == 300);  // whole blobs, oldest first, until 250 are free
    CHECK(e.bytes() == 9700);
    r = e.evict_at_least(1'000'000'000'000'000ull);  // a lying Content-Length of 10^15
    CHECK(r.bytes <= 9700 / 4 + 100);
    CHECK(e.bytes() >= 9700 - 9700 / 4 - 100);
    CHECK(log.removed.size() == 3 + r.blobs);
}

TEST_CASE("one blob evicted on demand, unless it is absent, leased, pinned or refused") {
    removal_log log;
    cache_evictor e(eviction_kind::lru, {0, 0.9, 0.5}, log.remover());  // unbounded: only on demand
    for (int i = 1; i <= 5; ++i) e.inserted(nth(i), 100);
    CHECK(e.evict_one(nth(2)) == cache_evictor::removal::removed);
    CHECK(e.bytes() == 400);
    CHECK(e.objects() == 4);
    CHECK(e.evicted_bytes() == 100);
    CHECK(log.removed == std::vector<std::string>{nth(2).str()});
    CHECK(e.evict_one(nth(2)) == cache_evictor::removal::absent);
    CHECK(e.evict_one(nth(99)) == cache_evictor::removal::absent);
    {
        const auto lease = e.hold(nth(3));
        CHECK(e.evict_one(nth(3)) == cache_evictor::removal::in_use);
    }
    e.set_pinned({nth(4).str()});
    CHECK(e.evict_one(nth(4)) == cache_evictor::removal::pinned);
    log.refuse.insert(nth(5).str());
    CHECK(e.evict_one(nth(5)) == cache_evictor::removal::refused);
    CHECK(e.bytes() == 400);  // nothing else left
    // What stayed is still tracked: evictable once free, and counted once if inserted again.
    CHECK(e.evict_one(nth(3)) == cache_evictor::removal::removed);
    e.inserted(nth(2), 100);
    CHECK(e.bytes() == 400);
    CHECK(e.objects() == 4);
}

// Tests of cache maintenance: one scheduled run at a time past the watermark, pinned images
// kept (configured and stored pins, tags resolved at run time), room made for a full disk,
// failures reported, and metadata expiry.
#include "storage/eviction/cache_maintenance.hpp"
#include "storage/eviction/pins.hpp"
#include "tests/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <deque>
#include <stdexcept>

using namespace strata::storage;

namespace {

digest blob_digest(int n) { return sha256_of("blob " + std::to_string(n)); }

// Scheduled work waits here until the test runs it.
struct work_queue {
    std::deque<std::function<void()>> jobs;
    cache_maintenance::scheduler scheduler() {
        return [this](std::function<void()> job) { jobs.push_back(std::move(job)); };
    }
    void run_all() {
        while (!jobs.empty()) {
            auto job = std::move(jobs.front());
            jobs.pop_front();
            job();
        }
    }
};

// An image team/app:v1 on upstream up.test whose manifest references blobs 1 and 2.
void store_image(metadata_index& index) {
    const std::string body = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                             R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                             blob_digest(1).str() +
                             R"(","size":100},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
                             blob_digest(2).str() + R"(","size":100}]})";
    const auto d = sha256_of(body);
    const repository_key repo{"up.test", "team/app"};
    index.put_manifest(d, "application/vnd.oci.image.manifest.v1+json", body, repo, {blob_digest(1), blob_digest(2)});
    index.put_tag(repo, "v1", {d.str(), "application/vnd.oci.image.manifest.v1+json", 1});
}

struct maintained_store {
    explicit maintained_store(std::vector<std::string> pins = {}, std::chrono::nanoseconds max_age = {})
        : maintenance(evictor, index, std::move(pins), max_age, queue.scheduler(), reports()) {}

    maintenance_reports reports() {
        maintenance_reports r;
        r.evicted = [this](const cache_evictor::result& result) { evicted.push_back(result.blobs); };
        r.made_room = [this](const cache_evictor::result& result, std::uint64_t, std::uint64_t, std::uint64_t asked) {
            made_room.push_back({result.bytes, asked});
        };
        r.expired = [this](const metadata_gc_report& report) { expired_tags += report.tags; };
        r.failed = [this](const char* what, const std::exception& e) {
            failures.push_back(std::string(what) + ": " + e.what());
        };
        return r;
    }

    strata::test::temp_dir dir;
    metadata_index index{dir.path / "index"};
    std::vector<std::string> removed;
    bool remover_throws = false;
    cache_evictor evictor{eviction_kind::fifo, {1000, 0.9, 0.5}, [this](const digest& d) {
                              if (remover_throws) throw std::runtime_error("disk gone");
                              removed.push_back(d.str());
                              return true;
                          }};
    work_queue queue;
    std::vector<std::size_t> evicted;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> made_room;  // bytes freed, bytes asked
    std::size_t expired_tags = 0;
    std::vector<std::string> failures;
    cache_maintenance maintenance;
};

}  // namespace

TEST_CASE("past the high watermark one run is scheduled however often it is asked for") {
    maintained_store s;
    for (int i = 1; i <= 9; ++i) s.evictor.inserted(blob_digest(i), 100);
    s.maintenance.maybe_evict();
    CHECK(s.queue.jobs.empty());  // 900 is not past 900
    s.evictor.inserted(blob_digest(10), 100);
    s.maintenance.maybe_evict();
    s.maintenance.maybe_evict();
    s.maintenance.maybe_evict();
    REQUIRE(s.queue.jobs.size() == 1);
    s.queue.run_all();
    CHECK(s.evictor.bytes() == 500);
    CHECK(s.evicted == std::vector<std::size_t>{5});
    for (int i = 11; i <= 15; ++i) s.evictor.inserted(blob_digest(i), 100);
    s.maintenance.maybe_evict();
    CHECK(s.queue.jobs.size() == 1);  // a new run once the last one ended
}

TEST_CASE("pinned images survive runs, whether pinned in the config or stored, by tag resolved at run time") {
    maintained_store s({"up.test/team/app:v1"});
    store_image(s.index);
    for (int i = 1; i <= 10; ++i) s.evictor.inserted(blob_digest(i), 100);
    s.maintenance.evict_now();
    CHECK(s.evictor.bytes() == 500);
    for (const auto& d : s.removed) {
        CHECK(d != blob_digest(1).str());
        CHECK(d != blob_digest(2).str());
    }

    maintained_store stored;  // the same pin added through the admin API
    store_image(stored.index);
    store_pin(stored.index, "up.test/team/app:v1");
    for (int i = 1; i <= 10; ++i) stored.evictor.inserted(blob_digest(i), 100);
    stored.maintenance.evict_now();
    CHECK(std::find(stored.removed.begin(), stored.removed.end(), blob_digest(1).str()) == stored.removed.end());
    CHECK(std::find(stored.removed.begin(), stored.removed.end(), blob_digest(3).str()) != stored.removed.end());
}

TEST_CASE("a full disk evicts what the failed write could not fit and 1 MiB more, below the watermark too") {
    maintained_store s;
    for (int i = 1; i <= 4; ++i) s.evictor.inserted(blob_digest(i), 100);  // 400 of 1000: no watermark run
    s.maintenance.make_room(200, 150);
    REQUIRE(s.queue.jobs.size() == 1);
    s.queue.run_all();
    REQUIRE(s.made_room.size() == 1);
    CHECK(s.made_room[0].second == 50 + (1 << 20));
    CHECK(s.made_room[0].first == 100);  // at most a quarter of the store at once
    CHECK(s.removed == std::vector<std::string>{blob_digest(1).str()});
}

TEST_CASE("a run that fails is reported, and the next one is still scheduled") {
    maintained_store s;
    for (int i = 1; i <= 10; ++i) s.evictor.inserted(blob_digest(i), 100);
    s.remover_throws = true;
    s.maintenance.maybe_evict();
    s.queue.run_all();
    REQUIRE(s.failures.size() == 1);
    CHECK(s.failures[0] == "eviction: disk gone");
    CHECK(s.evictor.bytes() == 1000);  // nothing was removed, and everything is still tracked
    CHECK(s.evictor.objects() == 10);
    s.remover_throws = false;
    s.maintenance.maybe_evict();
    REQUIRE(s.queue.jobs.size() == 1);
    s.queue.run_all();
    CHECK(s.evictor.bytes() == 500);
    CHECK(s.removed.size() == 5);
}

TEST_CASE("metadata expiry removes tags unused for the maximum age, and nothing when it is 0") {
    maintained_store forever;
    store_image(forever.index);
    CHECK_FALSE(forever.maintenance.expires_metadata());
    CHECK(forever.maintenance.expire_metadata(1'000'000'000'000'000'000).tags == 0);

    maintained_store aging({}, std::chrono::hours(1));
    store_image(aging.index);  // tag fetched at 1 ns after the epoch
    CHECK(aging.maintenance.expire_metadata(2).tags == 0);
    CHECK(aging.maintenance.expire_metadata(std::chrono::nanoseconds(std::chrono::hours(2)).count()).tags == 1);
    CHECK(aging.expired_tags == 1);
    CHECK_FALSE(aging.index.tag({"up.test", "team/app"}, "v1"));
}

// Tests of the event queue: batching to the log, dropping when full, draining.
#include "proxy/observe/event_recorder.hpp"

#include "tests/catch_result.hpp"
#include "tests/temp_dir.hpp"

#include <map>
#include <thread>
#include <vector>

using namespace strata;

namespace {

// Recent timestamps: retention (30 days by default) must not remove them.
std::int64_t recent_ns(int i) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
               .count() +
           i;
}

// An event log in a fresh directory, removed afterwards.
struct temp_log {
    test::temp_dir dir;
    storage::metadata_index index{dir.path};
    storage::event_log log{index};
};

// Written only by drain() or a batch of batch_max events.
proxy::event_config written_on_drain(std::size_t batch_max) {
    proxy::event_config cfg;
    cfg.flush_interval = std::chrono::hours(1);
    cfg.batch_max = batch_max;
    return cfg;
}

}  // namespace

TEST_CASE("event_recorder writes submitted events and drops beyond its capacity") {
    temp_log t;
    auto cfg = written_on_drain(100);
    cfg.queue_capacity = 3;
    proxy::event_recorder recorder(t.log, cfg);
    for (int i = 0; i < 5; ++i) {
        storage::pull_event e;
        e.ts_ns = recent_ns(i);
        recorder.submit(e);
    }
    CHECK(recorder.dropped() == 2);
    recorder.drain();
    CHECK(recorder.written() == 3);
    std::size_t n = 0;
    t.log.scan(0, INT64_MAX, [&](const storage::pull_event&) { return ++n, true; });
    CHECK(n == 3);

    proxy::event_config off;
    off.enabled = false;
    proxy::event_recorder disabled(t.log, off);
    disabled.submit(storage::pull_event{});
    disabled.drain();
    CHECK(disabled.written() == 0);
    CHECK(disabled.dropped() == 0);
}

TEST_CASE("event_recorder writes what every thread submitted, each thread's pending block apart") {
    temp_log t;
    proxy::event_recorder recorder(t.log, written_on_drain(1000));
    std::vector<std::thread> threads;
    for (int th = 0; th < 3; ++th)
        threads.emplace_back([&, th] {
            for (int i = 0; i < 50; ++i) {
                storage::pull_event e;
                e.ts_ns = recent_ns(i);
                e.node = "node-" + std::to_string(th);
                recorder.submit(e);
            }
        });
    for (auto& th : threads) th.join();
    recorder.drain();
    CHECK(recorder.written() == 150);
    CHECK(recorder.dropped() == 0);
    std::map<std::string, int> per_node;
    t.log.scan(0, INT64_MAX, [&](const storage::pull_event& e) { return ++per_node[e.node], true; });
    CHECK(per_node == std::map<std::string, int>{{"node-0", 50}, {"node-1", 50}, {"node-2", 50}});
}

TEST_CASE("event_recorder bounds what is pending by bytes as well as by count") {
    temp_log t;
    proxy::event_recorder recorder(t.log, written_on_drain(1'000'000));
    storage::pull_event e;
    e.node = std::string(1 << 20, 'n');  // 1 MiB events: few of them reach the bound
    const auto fits = proxy::event_recorder::max_pending_bytes / e.node.size();
    for (std::size_t i = 0; i < fits + 5; ++i) {
        e.ts_ns = recent_ns(static_cast<int>(i));
        recorder.submit(e);
    }
    CHECK(recorder.dropped() >= 5);
    CHECK(recorder.dropped() <= 6);
    recorder.drain();
    CHECK(recorder.written() + recorder.dropped() == fits + 5);
    e.ts_ns = recent_ns(0);
    recorder.submit(e);  // room again once written
    recorder.drain();
    CHECK(recorder.written() + recorder.dropped() == fits + 6);
    CHECK(recorder.dropped() <= 6);
}

// Tests of the event queue: batching to the log, dropping when full, draining.
#include "proxy/observe/event_recorder.hpp"

#include "tests/catch_result.hpp"

#include <unistd.h>

#include <filesystem>

using namespace strata;

TEST_CASE("event_recorder writes submitted events and drops beyond its capacity") {
    const auto dir = std::filesystem::temp_directory_path() / ("strata-recorder-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    {
        storage::metadata_index index(dir);
        storage::event_log log(index);
        proxy::event_config cfg;
        cfg.queue_capacity = 3;
        cfg.flush_interval = std::chrono::hours(1);  // only drain() or a full batch writes
        cfg.batch_max = 100;
        proxy::event_recorder recorder(log, cfg);
        for (int i = 0; i < 5; ++i) {
            storage::pull_event e;
            // Recent timestamps: retention (30 days by default) must not remove them.
            e.ts_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count() + i;
            recorder.submit(e);
        }
        CHECK(recorder.dropped() == 2);
        recorder.drain();
        CHECK(recorder.written() == 3);
        std::size_t n = 0;
        log.scan(0, INT64_MAX, [&](const storage::pull_event&) { return ++n, true; });
        CHECK(n == 3);

        proxy::event_config off;
        off.enabled = false;
        proxy::event_recorder disabled(log, off);
        disabled.submit(storage::pull_event{});
        disabled.drain();
        CHECK(disabled.written() == 0);
        CHECK(disabled.dropped() == 0);
    }
    std::filesystem::remove_all(dir);
}

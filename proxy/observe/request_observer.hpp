// request_observer: one served registry request into the metrics, pull statistics, event log and access log.
#pragma once

#include "proxy/observe/access_log.hpp"
#include "proxy/observe/event_recorder.hpp"
#include "proxy/observe/metrics.hpp"
#include "proxy/observe/pull_stats.hpp"
#include "storage/events/pull_event.hpp"

namespace strata::proxy {

struct request_observer {
    metrics& counters;
    bool counting;  // server.metrics: nothing reads the counters otherwise
    pull_stats& stats;
    event_recorder& events;
    access_log& log;

    // A response of 400 or more is recorded with cache status "error" (set in e).
    void observe(storage::pull_event& e) const;
};

}  // namespace strata::proxy

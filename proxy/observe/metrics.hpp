// metrics: strata's Prometheus metrics (prometheus-cpp core), rendered by strata's own HTTP server.
#pragma once

#include "proxy/thread_shards.hpp"
#include "storage/events/pull_event.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <optional>
#include <vector>

namespace strata::proxy {

// Values sampled at scrape time from the rest of strata.
struct metrics_sources {
    std::function<std::size_t()> fetches_in_flight;
    std::function<std::uint64_t()> cache_bytes;
    std::function<std::uint64_t()> cache_budget;  // storage.max_bytes; 0: unbounded
    std::function<std::uint64_t()> cache_objects;
    std::function<std::uint64_t()> events_dropped;
    std::function<std::uint64_t()> token_fetches;
    std::function<std::uint64_t()> evicted_blobs;
    std::function<std::uint64_t()> evicted_bytes;
    std::function<std::size_t()> client_connections;
    std::function<std::size_t()> client_connection_limit;
    std::function<std::uint64_t()> connections_closed_for_room;
    std::function<std::uint64_t()> connections_refused;
    // Every in-memory cache: its name, the bytes it holds and its budget.
    struct memory_use {
        std::string cache;
        std::size_t bytes;
        std::size_t budget;
    };
    std::function<std::vector<memory_use>()> memory;
    // Each upstream's announced pull quota (RateLimit-Limit / -Remaining, where it sent one) and
    // its circuit breaker.
    struct upstream_state {
        std::string upstream;
        std::optional<std::uint64_t> limit, remaining;
        bool down = false;
        std::uint64_t times_down = 0;
    };
    std::function<std::vector<upstream_state>()> upstreams;
    // The repositories that took the most bytes since start ("upstream/repository", bytes), the
    // largest first, a handful of them: a bounded label set.
    std::function<std::vector<std::pair<std::string, std::uint64_t>>()> top_repositories;
};

// Thread-safe (prometheus-cpp metrics are atomic; family lookups take its lock). Names
// follow Prometheus conventions: strata_<thing>_<unit>, _total for counters.
class metrics {
public:
    metrics();

    void set_sources(metrics_sources sources) { sources_ = std::move(sources); }

    // One served registry request (manifest, blob or tag list).
    void observe_request(const storage::pull_event& e);
    // One request to an upstream: status 0 for a connection failure or timeout.
    void observe_upstream(const std::string& upstream, unsigned status, std::chrono::nanoseconds latency);
    void add_upstream_bytes(const std::string& upstream, std::uint64_t bytes);
    void digest_mismatch(const std::string& upstream);
    void coalesced_waiter(const std::string& kind);
    void stale_served(const std::string& upstream);
    // A pull refused by pull authentication: "unauthenticated" (401), "denied" (403), "busy" (429).
    void pull_refused(const char* reason);
    // A value from an upstream (a tag, a name, a digest, a header) failed its grammar and was dropped.
    void upstream_value_rejected(const std::string& upstream, const std::string& what, std::uint64_t count = 1);

    // The exposition text (format 0.0.4).
    std::string render();

private:
    prometheus::Registry registry_;
    prometheus::Family<prometheus::Counter>& requests_;
    prometheus::Family<prometheus::Counter>& served_bytes_;
    prometheus::Family<prometheus::Histogram>& request_seconds_;
    prometheus::Family<prometheus::Counter>& upstream_requests_;
    prometheus::Family<prometheus::Counter>& upstream_errors_;
    prometheus::Family<prometheus::Counter>& upstream_bytes_;
    prometheus::Family<prometheus::Histogram>& upstream_seconds_;
    prometheus::Family<prometheus::Counter>& digest_mismatches_;
    prometheus::Family<prometheus::Counter>& coalesced_;
    prometheus::Family<prometheus::Counter>& stale_;
    prometheus::Family<prometheus::Counter>& pull_refusals_;
    prometheus::Family<prometheus::Counter>& rejected_values_;
    prometheus::Family<prometheus::Gauge>& memory_bytes_;
    prometheus::Family<prometheus::Gauge>& memory_budget_;
    prometheus::Family<prometheus::Gauge>& ratelimit_limit_;
    prometheus::Family<prometheus::Gauge>& ratelimit_remaining_;
    prometheus::Family<prometheus::Gauge>& upstream_down_;
    prometheus::Family<prometheus::Gauge>& upstream_times_down_;
    prometheus::Family<prometheus::Gauge>& top_repository_bytes_;
    std::vector<prometheus::Gauge*> top_repository_gauges_;  // set at the last scrape, removed at the next
    prometheus::Gauge& client_connections_;
    prometheus::Gauge& client_connection_limit_;
    prometheus::Gauge& fetches_in_flight_;
    prometheus::Gauge& cache_bytes_;
    prometheus::Gauge& cache_budget_;
    prometheus::Gauge& cache_objects_;
    // A counter that mirrors a running total kept elsewhere: render() adds what it grew by.
    struct mirrored_counter {
        prometheus::Counter& counter;
        std::uint64_t reported = 0;
        void sync(const std::function<std::uint64_t()>& source);
    };
    void render_top_repositories();
    mirrored_counter events_dropped_;
    mirrored_counter token_fetches_;
    mirrored_counter evicted_blobs_;
    mirrored_counter evicted_bytes_;
    mirrored_counter closed_for_room_;
    mirrored_counter refused_;
    prometheus::Gauge& resident_bytes_;
    prometheus::Gauge& open_fds_;
    prometheus::Gauge& start_time_;
    prometheus::Gauge& uptime_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    metrics_sources sources_;
    // Hot-path handles by label values, so a request does not build label maps.
    struct request_handles {
        prometheus::Counter* requests;
        prometheus::Counter* bytes;
        prometheus::Histogram* seconds;
        std::size_t latency_slot;  // its tally in each thread's latencies_
    };
    request_handles& handles_for(const storage::pull_event& e);
    // Request durations sorted into buckets per thread and added to the histograms when scraped:
    // Histogram::Observe takes a lock that every network thread would queue on.
    struct latency_tally {
        prometheus::Histogram* histogram = nullptr;
        std::vector<double> bucket_counts;
        double sum = 0;
    };
    thread_shards<std::vector<latency_tally>> latencies_;
    void observe_latency(const request_handles& h, double seconds);
    void add_up_latencies();
    const std::uint64_t id_;  // tells this instance's entries in a thread's cache from another's
    std::mutex handles_mutex_;
    std::unordered_map<std::string, request_handles> handles_;
    std::mutex render_mutex_;
};

}  // namespace strata::proxy

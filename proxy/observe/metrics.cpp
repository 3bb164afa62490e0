// metrics: families, observation helpers and the scrape-time samples (process, cache, queues).
#include "proxy/observe/metrics.hpp"

#include <prometheus/text_serializer.h>

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <fstream>

namespace strata::proxy {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

std::atomic<std::uint64_t> next_metrics_id{1};

// A thread's last label set and its handles: the requests of one connection, and of one image
// pull, mostly repeat it, and then neither a key is built nor the shared map and its lock touched.
struct last_request_handles {
    std::uint64_t owner = 0;
    unsigned status = 0;
    std::string kind, method, cache_status, upstream;
    void* handles = nullptr;  // the owner's request_handles (a private type)

    bool matches(std::uint64_t id, const storage::pull_event& e) const {
        return owner == id && status == e.http_status && kind == e.kind && method == e.method &&
               cache_status == e.cache_status && upstream == e.upstream;
    }
    void remember(std::uint64_t id, const storage::pull_event& e, void* found) {
        owner = id;
        status = e.http_status;
        kind.assign(e.kind);
        method.assign(e.method);
        cache_status.assign(e.cache_status);
        upstream.assign(e.upstream);
        handles = found;
    }
};
thread_local last_request_handles last_handles;

const prometheus::Histogram::BucketBoundaries latency_buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10,
                                                                 30,     60,    120,    300};

double resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    statm >> size >> resident;
    return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

double open_fds() {
    double n = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (const dirent* entry = ::readdir(d))
            if (entry->d_name[0] != '.') ++n;
        ::closedir(d);
    }
    return n - 1;  // the directory handle itself
}

}  // namespace

metrics::metrics()
    : requests_(BuildCounter().Name("strata_requests_total").Help("Registry requests served, by kind, method, status, cache status and upstream").Register(registry_)),
      served_bytes_(BuildCounter().Name("strata_served_bytes_total").Help("Body bytes sent to clients, by cache status").Register(registry_)),
      request_seconds_(BuildHistogram().Name("strata_request_duration_seconds").Help("Time to serve a registry request, by kind").Register(registry_)),
      upstream_requests_(BuildCounter().Name("strata_upstream_requests_total").Help("Requests sent to upstreams, by upstream and status").Register(registry_)),
      upstream_errors_(BuildCounter().Name("strata_upstream_errors_total").Help("Upstream requests that failed to connect or timed out, or answered 5xx").Register(registry_)),
      upstream_bytes_(BuildCounter().Name("strata_upstream_bytes_total").Help("Body bytes received from upstreams").Register(registry_)),
      upstream_seconds_(BuildHistogram().Name("strata_upstream_request_duration_seconds").Help("Upstream request to response headers").Register(registry_)),
      digest_mismatches_(BuildCounter().Name("strata_digest_mismatches_total").Help("Upstream bodies that did not match their digest").Register(registry_)),
      coalesced_(BuildCounter().Name("strata_coalesced_waiters_total").Help("Requests that joined an upstream fetch already in flight").Register(registry_)),
      stale_(BuildCounter().Name("strata_stale_served_total").Help("Expired tag mappings served because the upstream could not answer").Register(registry_)),
      pull_refusals_(BuildCounter().Name("strata_pull_auth_refusals_total").Help("Pulls refused by pull authentication, by reason: unauthenticated (401), denied (403), busy (429)").Register(registry_)),
      rejected_values_(BuildCounter().Name("strata_upstream_rejected_values_total").Help("Values from upstreams (tags, names, digests, headers) that failed their grammar and were dropped").Register(registry_)),
      memory_bytes_(BuildGauge().Name("strata_memory_cache_bytes").Help("Bytes held by an in-memory cache").Register(registry_)),
      memory_budget_(BuildGauge().Name("strata_memory_cache_budget_bytes").Help("Byte budget of an in-memory cache").Register(registry_)),
      ratelimit_limit_(BuildGauge().Name("strata_upstream_ratelimit_limit").Help("Pulls per window the upstream allows (its last RateLimit-Limit)").Register(registry_)),
      ratelimit_remaining_(BuildGauge().Name("strata_upstream_ratelimit_remaining").Help("Pulls left in the upstream's window (its last RateLimit-Remaining)").Register(registry_)),
      upstream_down_(BuildGauge().Name("strata_upstream_down").Help("1 while the upstream's circuit breaker holds requests back after repeated connect failures or timeouts").Register(registry_)),
      upstream_times_down_(BuildGauge().Name("strata_upstream_down_transitions").Help("Times the upstream's circuit breaker marked it down since start").Register(registry_)),
      top_repository_bytes_(BuildGauge().Name("strata_top_repository_served_bytes").Help("Bytes served since start for each of the repositories that took the most (upstream/repository); the set changes as they do").Register(registry_)),
      client_connections_(BuildGauge().Name("strata_client_connections").Help("Open client connections").Register(registry_).Add({})),
      client_connection_limit_(BuildGauge().Name("strata_client_connections_limit").Help("Client connections allowed at once").Register(registry_).Add({})),
      fetches_in_flight_(BuildGauge().Name("strata_fetches_in_flight").Help("Blob downloads from upstreams in progress").Register(registry_).Add({})),
      cache_bytes_(BuildGauge().Name("strata_cache_bytes").Help("Bytes of cached blobs").Register(registry_).Add({})),
      cache_budget_(BuildGauge().Name("strata_cache_budget_bytes").Help("The blob store's budget, storage.max_bytes (0: unbounded)").Register(registry_).Add({})),
      cache_objects_(BuildGauge().Name("strata_cache_objects").Help("Cached blobs").Register(registry_).Add({})),
      events_dropped_{BuildCounter().Name("strata_events_dropped_total").Help("Pull events dropped because the event queue was full").Register(registry_).Add({})},
      token_fetches_{BuildCounter().Name("strata_token_fetches_total").Help("Bearer tokens requested from upstream realms").Register(registry_).Add({})},
      evicted_blobs_{BuildCounter().Name("strata_evictions_total").Help("Blobs evicted to keep the store under its budget").Register(registry_).Add({})},
      evicted_bytes_{BuildCounter().Name("strata_evicted_bytes_total").Help("Bytes of evicted blobs").Register(registry_).Add({})},
      closed_for_room_{BuildCounter().Name("strata_client_connections_closed_total").Help("Idle client connections closed to make room for new ones").Register(registry_).Add({})},
      refused_{BuildCounter().Name("strata_client_connections_refused_total").Help("Client connections refused at the cap with none idle").Register(registry_).Add({})},
      resident_bytes_(BuildGauge().Name("strata_process_resident_memory_bytes").Help("Resident set size").Register(registry_).Add({})),
      open_fds_(BuildGauge().Name("strata_process_open_fds").Help("Open file descriptors").Register(registry_).Add({})),
      start_time_(BuildGauge().Name("strata_process_start_time_seconds").Help("Start time since the epoch").Register(registry_).Add({})),
      uptime_(BuildGauge().Name("strata_process_uptime_seconds").Help("Seconds since start").Register(registry_).Add({})),
      id_(next_metrics_id++) {
    start_time_.Set(static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count()));
}

metrics::request_handles& metrics::handles_for(const storage::pull_event& e) {
    if (last_handles.matches(id_, e)) return *static_cast<request_handles*>(last_handles.handles);
    thread_local std::string key;  // its capacity reused: a miss allocates only for a new label set
    key.clear();
    key.append(e.kind).append(1, '|').append(e.method).append(1, '|');
    char status[12];
    key.append(status, std::to_chars(status, status + sizeof status, e.http_status).ptr);
    key.append(1, '|').append(e.cache_status).append(1, '|').append(e.upstream);
    request_handles* found = nullptr;
    {
        std::lock_guard lock(handles_mutex_);
        auto it = handles_.find(key);
        if (it == handles_.end()) {
            request_handles h{&requests_.Add({{"kind", e.kind},
                                              {"method", e.method},
                                              {"status", std::to_string(e.http_status)},
                                              {"cache", e.cache_status},
                                              {"upstream", e.upstream}}),
                              &served_bytes_.Add({{"cache", e.cache_status}}),
                              &request_seconds_.Add({{"kind", e.kind}}, latency_buckets),
                              handles_.size()};
            it = handles_.emplace(key, h).first;
        }
        found = &it->second;  // map nodes stay put, and entries are never removed
    }
    last_handles.remember(id_, e, found);
    return *found;
}

void metrics::observe_request(const storage::pull_event& e) {
    auto& h = handles_for(e);
    h.requests->Increment();
    if (e.bytes_sent) h.bytes->Increment(static_cast<double>(e.bytes_sent));
    observe_latency(h, static_cast<double>(e.duration_ns) / 1e9);
}

void metrics::observe_latency(const request_handles& h, double seconds) {
    auto& shard = latencies_.mine();
    std::lock_guard lock(shard.mutex);
    auto& tallies = shard.value;
    if (tallies.size() <= h.latency_slot) tallies.resize(h.latency_slot + 1);
    auto& tally = tallies[h.latency_slot];
    if (!tally.histogram) {
        tally.histogram = h.seconds;
        tally.bucket_counts.assign(latency_buckets.size() + 1, 0);
    }
    // The bucket Histogram::Observe picks: the first bound at or above the value, else +Inf.
    const auto bound = std::lower_bound(latency_buckets.begin(), latency_buckets.end(), seconds);
    tally.bucket_counts[static_cast<std::size_t>(bound - latency_buckets.begin())] += 1;
    tally.sum += seconds;
}

void metrics::add_up_latencies() {
    for (auto& shard : latencies_.all()) {
        std::lock_guard lock(shard.mutex);
        for (auto& tally : shard.value) {
            if (!tally.histogram || std::all_of(tally.bucket_counts.begin(), tally.bucket_counts.end(),
                                                [](double n) { return n == 0; }))
                continue;
            tally.histogram->ObserveMultiple(tally.bucket_counts, tally.sum);
            std::fill(tally.bucket_counts.begin(), tally.bucket_counts.end(), 0);
            tally.sum = 0;
        }
    }
}

void metrics::observe_upstream(const std::string& upstream, unsigned status, std::chrono::nanoseconds latency) {
    upstream_requests_.Add({{"upstream", upstream}, {"status", status ? std::to_string(status) : "error"}}).Increment();
    if (status == 0 || status >= 500) upstream_errors_.Add({{"upstream", upstream}}).Increment();
    if (status)
        upstream_seconds_.Add({{"upstream", upstream}}, latency_buckets)
            .Observe(std::chrono::duration<double>(latency).count());
}

void metrics::add_upstream_bytes(const std::string& upstream, std::uint64_t bytes) {
    upstream_bytes_.Add({{"upstream", upstream}}).Increment(static_cast<double>(bytes));
}

void metrics::digest_mismatch(const std::string& upstream) { digest_mismatches_.Add({{"upstream", upstream}}).Increment(); }

void metrics::coalesced_waiter(const std::string& kind) { coalesced_.Add({{"kind", kind}}).Increment(); }

void metrics::stale_served(const std::string& upstream) { stale_.Add({{"upstream", upstream}}).Increment(); }
void metrics::pull_refused(const char* reason) { pull_refusals_.Add({{"reason", reason}}).Increment(); }

void metrics::upstream_value_rejected(const std::string& upstream, const std::string& what, std::uint64_t count) {
    rejected_values_.Add({{"upstream", upstream}, {"what", what}}).Increment(static_cast<double>(count));
}

void metrics::mirrored_counter::sync(const std::function<std::uint64_t()>& source) {
    if (!source) return;
    const auto now = source();
    counter.Increment(static_cast<double>(now - reported));
    reported = now;
}

void metrics::render_top_repositories() {
    if (!sources_.top_repositories) return;
    for (auto* gauge : top_repository_gauges_) top_repository_bytes_.Remove(gauge);
    top_repository_gauges_.clear();
    for (const auto& [repository, bytes] : sources_.top_repositories()) {
        auto& gauge = top_repository_bytes_.Add({{"repository", repository}});
        gauge.Set(static_cast<double>(bytes));
        top_repository_gauges_.push_back(&gauge);
    }
}

std::string metrics::render() {
    std::lock_guard lock(render_mutex_);
    add_up_latencies();
    if (sources_.fetches_in_flight) fetches_in_flight_.Set(static_cast<double>(sources_.fetches_in_flight()));
    if (sources_.cache_bytes) cache_bytes_.Set(static_cast<double>(sources_.cache_bytes()));
    if (sources_.cache_objects) cache_objects_.Set(static_cast<double>(sources_.cache_objects()));
    if (sources_.cache_budget) cache_budget_.Set(static_cast<double>(sources_.cache_budget()));
    render_top_repositories();
    events_dropped_.sync(sources_.events_dropped);
    token_fetches_.sync(sources_.token_fetches);
    evicted_blobs_.sync(sources_.evicted_blobs);
    evicted_bytes_.sync(sources_.evicted_bytes);
    closed_for_room_.sync(sources_.connections_closed_for_room);
    refused_.sync(sources_.connections_refused);
    if (sources_.client_connections) client_connections_.Set(static_cast<double>(sources_.client_connections()));
    if (sources_.client_connection_limit)
        client_connection_limit_.Set(static_cast<double>(sources_.client_connection_limit()));
    if (sources_.memory)
        for (const auto& use : sources_.memory()) {
            memory_bytes_.Add({{"cache", use.cache}}).Set(static_cast<double>(use.bytes));
            memory_budget_.Add({{"cache", use.cache}}).Set(static_cast<double>(use.budget));
        }
    if (sources_.upstreams)
        for (const auto& u : sources_.upstreams()) {
            const prometheus::Labels labels{{"upstream", u.upstream}};
            if (u.limit) ratelimit_limit_.Add(labels).Set(static_cast<double>(*u.limit));
            if (u.remaining) ratelimit_remaining_.Add(labels).Set(static_cast<double>(*u.remaining));
            upstream_down_.Add(labels).Set(u.down ? 1 : 0);
            upstream_times_down_.Add(labels).Set(static_cast<double>(u.times_down));
        }
    resident_bytes_.Set(resident_bytes());
    open_fds_.Set(open_fds());
    uptime_.Set(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
    return prometheus::TextSerializer().Serialize(registry_.Collect());
}

}  // namespace strata::proxy

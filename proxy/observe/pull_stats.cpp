// pull_stats: per-second buckets for the last hour, totals, and bounded top-N maps.
#include "proxy/observe/pull_stats.hpp"

#include <algorithm>
#include <vector>

namespace strata::proxy {
namespace {

pull_stats::totals totals_of(const storage::pull_event& e) {
    pull_stats::totals t;
    t.requests = 1;
    t.bytes = e.bytes_sent;
    if (e.cache_status == "hit" || e.cache_status == "stale") {
        t.cached = 1;
        t.cached_bytes = e.bytes_sent;
    } else if (e.cache_status == "miss") {
        t.upstream = 1;
    } else if (e.cache_status == "coalesced") {
        t.coalesced = 1;
        t.coalesced_bytes = e.bytes_sent;
    } else {
        t.errors = 1;
    }
    return t;
}

}  // namespace

pull_stats::totals& pull_stats::totals::operator+=(const totals& o) {
    requests += o.requests;
    cached += o.cached;
    upstream += o.upstream;
    coalesced += o.coalesced;
    errors += o.errors;
    bytes += o.bytes;
    cached_bytes += o.cached_bytes;
    coalesced_bytes += o.coalesced_bytes;
    return *this;
}

void pull_stats::add(const storage::pull_event& e) {
    const auto t = totals_of(e);
    const auto second = e.ts_ns / 1000000000;
    std::lock_guard lock(mutex_);
    all_ += t;
    auto& b = buckets_[static_cast<std::size_t>(second) % window_seconds];
    if (b.second != second) b = bucket{second, {}};
    b.t += t;
    if (e.cache_status == "error") return;
    const auto track = [&](std::map<std::string, usage>& m, const std::string& key) {
        auto it = m.find(key);
        if (it == m.end()) {
            if (m.size() >= top_limit) return;
            it = m.emplace(key, usage{}).first;
        }
        ++it->second.pulls;
        it->second.bytes += e.bytes_sent;
    };
    thread_local std::string repository;  // the key built in place, its capacity reused
    repository.assign(e.upstream).append(1, '/').append(e.repository);
    track(repositories_, repository);
    if (e.kind == "blob") track(blobs_, e.digest);
}

pull_stats::totals pull_stats::window(std::int64_t now_s, std::int64_t seconds) const {
    totals t;
    for (const auto& b : buckets_)
        if (b.second > now_s - seconds && b.second <= now_s) t += b.t;
    return t;
}

nlohmann::json pull_stats::ratios(const totals& t) {
    const auto served = t.cached + t.upstream + t.coalesced;
    const auto ratio = [](std::uint64_t a, std::uint64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; };
    return {{"requests", t.requests},
            {"errors", t.errors},
            {"hits", t.cached},
            {"misses", t.upstream},
            {"coalesced", t.coalesced},
            {"hit_ratio", ratio(t.cached, served)},
            {"bytes_served", t.bytes},
            {"byte_hit_ratio", ratio(t.cached_bytes, t.bytes)},
            {"upstream_egress_saved_bytes", t.cached_bytes + t.coalesced_bytes}};
}

nlohmann::json pull_stats::top(const std::map<std::string, usage>& m, std::size_t n, bool by_bytes) {
    std::vector<std::pair<std::string, usage>> entries(m.begin(), m.end());
    const auto key = [by_bytes](const usage& u) { return by_bytes ? u.bytes : u.pulls; };
    const auto k = std::min(n, entries.size());
    std::partial_sort(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(k), entries.end(),
                      [&](const auto& a, const auto& b) {
                          return key(a.second) != key(b.second) ? key(a.second) > key(b.second) : a.first < b.first;
                      });
    auto out = nlohmann::json::array();
    for (std::size_t i = 0; i < k; ++i)
        out.push_back({{"name", entries[i].first}, {"pulls", entries[i].second.pulls}, {"bytes", entries[i].second.bytes}});
    return out;
}

nlohmann::json pull_stats::report(std::int64_t now_s, std::size_t top_n) const {
    std::lock_guard lock(mutex_);
    return {{"last_5m", ratios(window(now_s, 300))},
            {"last_1h", ratios(window(now_s, 3600))},
            {"all_time", ratios(all_)},
            {"top_repositories_by_pulls", top(repositories_, top_n, false)},
            {"top_repositories_by_bytes", top(repositories_, top_n, true)},
            {"top_blobs_by_pulls", top(blobs_, top_n, false)},
            {"top_blobs_by_bytes", top(blobs_, top_n, true)}};
}

}  // namespace strata::proxy

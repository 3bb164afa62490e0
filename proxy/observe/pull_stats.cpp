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
    thread_local std::string repository;  // the key built in place, its capacity reused
    repository.assign(e.upstream).append(1, '/').append(e.repository);
    auto& shard = shards_.mine();
    std::lock_guard lock(shard.mutex);
    if (!shard.value) shard.value = std::make_unique<counts>();
    auto& c = *shard.value;
    c.all += t;
    auto& b = c.buckets[static_cast<std::size_t>(second) % window_seconds];
    if (b.second != second) b = bucket{second, {}};
    b.t += t;
    if (e.cache_status == "error") return;
    const auto track = [&](usage_map& m, std::string_view key) {
        auto it = m.find(key);
        if (it == m.end()) {
            if (m.size() >= shard_top_limit) return;
            it = m.emplace(std::string(key), usage{}).first;
        }
        ++it->second.pulls;
        it->second.bytes += e.bytes_sent;
    };
    track(c.repositories, repository);
    track(c.nodes, e.node);
    if (e.kind == "blob") track(c.blobs, e.digest);
}

pull_stats::totals pull_stats::window(const counts& c, std::int64_t now_s, std::int64_t seconds) {
    totals t;
    for (const auto& b : c.buckets)
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

std::vector<std::pair<std::string, pull_stats::usage>> pull_stats::largest(const usage_map& m, std::size_t n,
                                                                         bool by_bytes) {
    std::vector<std::pair<std::string, usage>> entries(m.begin(), m.end());
    const auto key = [by_bytes](const usage& u) { return by_bytes ? u.bytes : u.pulls; };
    const auto k = std::min(n, entries.size());
    std::partial_sort(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(k), entries.end(),
                      [&](const auto& a, const auto& b) {
                          return key(a.second) != key(b.second) ? key(a.second) > key(b.second) : a.first < b.first;
                      });
    entries.resize(k);
    return entries;
}

nlohmann::json pull_stats::top(const usage_map& m, std::size_t n, bool by_bytes) {
    auto out = nlohmann::json::array();
    for (const auto& [name, u] : largest(m, n, by_bytes))
        out.push_back({{"name", name}, {"pulls", u.pulls}, {"bytes", u.bytes}});
    return out;
}

void pull_stats::merge(usage_map& into, const usage_map& from) {
    for (const auto& [name, u] : from) {
        auto& sum = into[name];
        sum.pulls += u.pulls;
        sum.bytes += u.bytes;
    }
}

std::vector<std::pair<std::string, std::uint64_t>> pull_stats::top_repositories_by_bytes(std::size_t n) const {
    usage_map repositories;
    for (auto& shard : shards_.all()) {
        std::lock_guard lock(shard.mutex);
        if (shard.value) merge(repositories, shard.value->repositories);
    }
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (const auto& [name, u] : largest(repositories, n, true)) out.emplace_back(name, u.bytes);
    return out;
}

nlohmann::json pull_stats::report(std::int64_t now_s, std::size_t top_n) const {
    totals last_5m, last_1h, all;
    usage_map repositories, blobs, nodes;
    for (auto& shard : shards_.all()) {
        std::lock_guard lock(shard.mutex);
        if (!shard.value) continue;
        const auto& c = *shard.value;
        last_5m += window(c, now_s, 300);
        last_1h += window(c, now_s, 3600);
        all += c.all;
        merge(repositories, c.repositories);
        merge(blobs, c.blobs);
        merge(nodes, c.nodes);
    }
    return {{"last_5m", ratios(last_5m)},
            {"last_1h", ratios(last_1h)},
            {"all_time", ratios(all)},
            {"top_repositories_by_pulls", top(repositories, top_n, false)},
            {"top_repositories_by_bytes", top(repositories, top_n, true)},
            {"top_blobs_by_pulls", top(blobs, top_n, false)},
            {"top_blobs_by_bytes", top(blobs, top_n, true)},
            {"nodes", nodes.size()},
            {"top_nodes_by_pulls", top(nodes, top_n, false)},
            {"top_nodes_by_bytes", top(nodes, top_n, true)}};
}

}  // namespace strata::proxy

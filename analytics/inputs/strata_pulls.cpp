// strata_pulls: one scan of the event log, keeping served GETs.
#include "analytics/inputs/strata_pulls.hpp"

#include "storage/events/event_labels.hpp"

namespace strata::analytics {
namespace {

bool is_observed(const storage::pull_event& e) {
    if (e.method != "GET" || e.http_status < 200 || e.http_status >= 300) return false;
    if (e.kind == "image") return true;
    if (e.kind != "manifest" && e.kind != "blob") return false;
    return !storage::find_event_label(e.labels, "run");  // a bench's requests: its image events stand for them
}

}  // namespace

std::vector<pull_observation> pulls_from_event_log(const storage::event_log& log, std::int64_t since_ns,
                                                   std::int64_t until_ns,
                                                   const std::function<bool(const storage::pull_event&)>& keep) {
    std::vector<pull_observation> out;
    log.scan(since_ns, until_ns, [&](const storage::pull_event& e) {
        if (!is_observed(e) || (keep && !keep(e))) return true;
        pull_observation p;
        p.image = e.upstream + '/' + e.repository;
        p.node = e.node;
        p.time_s = e.ts_ns / 1'000'000'000;
        p.seconds = static_cast<double>(e.duration_ns) / 1e9;
        p.image_bytes = e.bytes_sent;
        p.labels = {{"source", "strata"}, {"kind", e.kind}, {"cache", e.cache_status}, {"upstream", e.upstream}};
        for (auto& [k, v] : storage::parse_event_labels(e.labels)) p.labels.insert_or_assign(k, std::move(v));  // a recorder's labels win
        out.push_back(std::move(p));
        return true;
    });
    return out;
}

}  // namespace strata::analytics

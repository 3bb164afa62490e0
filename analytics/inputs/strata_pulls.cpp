// strata_pulls: one scan of the event log, keeping served GETs.
#include "analytics/inputs/strata_pulls.hpp"

namespace strata::analytics {

std::vector<pull_observation> pulls_from_event_log(const storage::event_log& log, std::int64_t since_ns,
                                                   std::int64_t until_ns) {
    std::vector<pull_observation> out;
    log.scan(since_ns, until_ns, [&](const storage::pull_event& e) {
        if (e.method != "GET" || (e.kind != "manifest" && e.kind != "blob") || e.http_status < 200 ||
            e.http_status >= 300)
            return true;
        pull_observation p;
        p.image = e.upstream + '/' + e.repository;
        p.node = e.node;
        p.time_s = e.ts_ns / 1'000'000'000;
        p.seconds = static_cast<double>(e.duration_ns) / 1e9;
        p.image_bytes = e.bytes_sent;
        p.labels = {{"source", "strata"}, {"kind", e.kind}, {"cache", e.cache_status}, {"upstream", e.upstream}};
        out.push_back(std::move(p));
        return true;
    });
    return out;
}

}  // namespace strata::analytics

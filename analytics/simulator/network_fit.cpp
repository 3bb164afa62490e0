// network_fit: medians of rates and times to first byte, by where the bytes came from.
#include "analytics/simulator/network_fit.hpp"

#include "storage/events/event_labels.hpp"

#include <algorithm>

namespace strata::analytics {
namespace {

constexpr std::uint64_t min_transfer_bytes = 256 << 10;
// Beyond these a recorded time or rate is not a measurement (events can be imported): a time to
// first byte over an hour (the most --upstream-latency takes), a transfer over a day, or over
// 1 TB/s. Each spread point is 1/20 of the transfers, so one wild sample would count.
constexpr double max_latency_s = 3600, max_transfer_s = 86400, max_rate_bps = 1e12;

double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
}

// The samples at up to spread_points evenly spaced quantiles (the middle of each of as many
// equal slices), in ascending order.
std::vector<double> spread_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const auto points = std::min(v.size(), spread_points);
    std::vector<double> out;
    for (std::size_t i = 0; i < points; ++i) out.push_back(v[(2 * i + 1) * v.size() / (2 * points)]);
    return out;
}

// bytes over seconds, when both make a measurable transfer.
std::optional<double> rate_of(std::uint64_t bytes, std::int64_t ns) {
    const double seconds = static_cast<double>(ns) / 1e9;
    if (bytes < min_transfer_bytes || ns <= 0 || seconds > max_transfer_s) return std::nullopt;
    const double rate = static_cast<double>(bytes) / seconds;
    return rate <= max_rate_bps ? std::optional<double>(rate) : std::nullopt;
}

}  // namespace

void network_fitter::add(const storage::pull_event& e) {
    if (e.kind != "blob" || e.method != "GET" || e.http_status < 200 || e.http_status >= 300) return;
    if (e.duration_ns < 0 || e.ttfb_ns < 0 || e.ttfb_ns > e.duration_ns || e.upstream_ns < 0) return;  // damaged
    const auto source = storage::find_event_label(e.labels, "source");
    const bool bench = source == "upstream" || source == "proxy";
    const bool upstream = bench ? source == "upstream" : e.cache_status == "miss";
    const bool proxy = bench ? source == "proxy" : e.cache_status == "hit";
    if (!upstream && !proxy) return;
    const auto rate = bench || proxy ? rate_of(e.bytes_sent, e.duration_ns - e.ttfb_ns)
                                     : rate_of(e.upstream_bytes, e.upstream_ns);
    const double ttfb_s = static_cast<double>(e.ttfb_ns) / 1e9;
    const auto latency = e.ttfb_ns > 0 && ttfb_s <= max_latency_s ? std::optional<double>(ttfb_s) : std::nullopt;
    auto& rates = upstream ? upstream_rates_ : proxy_rates_;
    auto& latencies = upstream ? upstream_latencies_ : proxy_latencies_;
    if (rate) rates.push_back(*rate);
    if (latency) latencies.push_back(*latency);
    if (upstream && rate) registry_rates_[e.upstream].push_back(*rate);
    if (upstream && latency) registry_latencies_[e.upstream].push_back(*latency);
}

network_fit network_fitter::fit() const {
    network_fit f{start_};
    auto& m = f.model;
    if (!upstream_rates_.empty()) m.upstream_bps = median(upstream_rates_);
    if (!upstream_latencies_.empty()) m.upstream_latency_s = median(upstream_latencies_);
    if (!proxy_rates_.empty()) m.proxy_bps = median(proxy_rates_);
    if (!proxy_latencies_.empty()) m.proxy_latency_s = median(proxy_latencies_);
    for (const auto& [registry, rates] : registry_rates_) {
        m.registry_bps[registry] = median(rates);
        m.registry_bps_spread[registry] = spread_of(rates);
        f.registry_transfers[registry] = rates.size();
    }
    for (const auto& [registry, latencies] : registry_latencies_) {
        m.registry_latency_s[registry] = median(latencies);
        m.registry_latency_spread[registry] = spread_of(latencies);
        f.registry_answers[registry] = latencies.size();
    }
    f.upstream_transfers = upstream_rates_.size();
    f.upstream_answers = upstream_latencies_.size();
    f.proxy_transfers = proxy_rates_.size();
    f.proxy_answers = proxy_latencies_.size();
    return f;
}

}  // namespace strata::analytics

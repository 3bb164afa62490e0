// network_fit: the simulator's network model taken from recorded pulls (strata bench runs, or
// strata's own pull log) instead of flags, so that a simulation is calibrated to a real network.
#pragma once

#include "analytics/simulator/simulator.hpp"
#include "storage/events/pull_event.hpp"

#include <cstddef>
#include <map>
#include <string>

namespace strata::analytics {

constexpr std::size_t spread_points = 20;

// What was measured, and the model it gives.
struct network_fit {
    network_model model;
    std::size_t upstream_transfers = 0, upstream_answers = 0;  // rate samples, latency samples
    std::size_t proxy_transfers = 0, proxy_answers = 0;
    std::map<std::string, std::size_t> registry_transfers;     // rate samples per registry
    std::map<std::string, std::size_t> registry_answers;       // latency samples per registry
};

// Sans-I/O. Feed every recorded event, then take the fit. A blob GET (2xx) is a sample of:
//  - the upstream: a bench node's request with source=upstream (its time to first byte, and
//    its bytes over the rest of its time), or a strata miss (its upstream bytes over its
//    upstream time; its time to first byte);
//  - the proxy: a bench node's request with source=proxy, or a strata hit.
// Only transfers of at least 256 KiB give rates (shorter ones measure latency). Each rate and
// latency of the model is the median of its samples, the upstream's also per registry; where
// there are none, `start`'s value stays. Per registry the model also keeps the spread: the
// samples at up to spread_points evenly spaced quantiles.
class network_fitter {
public:
    explicit network_fitter(network_model start) : start_(std::move(start)) {}
    void add(const storage::pull_event& e);
    network_fit fit() const;

private:
    network_model start_;
    std::vector<double> upstream_rates_, upstream_latencies_, proxy_rates_, proxy_latencies_;
    std::map<std::string, std::vector<double>> registry_rates_, registry_latencies_;
};

}  // namespace strata::analytics

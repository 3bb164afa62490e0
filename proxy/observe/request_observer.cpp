// request_observer: the one place a served request is counted, summed, recorded and logged.
#include "proxy/observe/request_observer.hpp"

namespace strata::proxy {

void request_observer::observe(storage::pull_event& e) const {
    if (e.http_status >= 400) e.cache_status.assign("error");
    if (counting) {
        if (e.cache_status == "coalesced") counters.coalesced_waiter(e.kind);
        if (e.cache_status == "stale") counters.stale_served(e.upstream);
        counters.observe_request(e);
    }
    stats.add(e);
    log.write(e);
    events.submit(e);
}

}  // namespace strata::proxy

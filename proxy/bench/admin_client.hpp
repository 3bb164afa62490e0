// admin_client: what strata bench asks of a strata's admin API: prefetch, evict, its upstream bytes, recording events.
#pragma once

#include "proxy/net.hpp"
#include "storage/events/pull_event.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace strata::proxy {

// One request to a strata (URL "http://host:port"), with the admin token when there is one; the
// status and body (at most 16 MiB). A body is sent after strata's "100 Continue". Throws
// std::runtime_error when it cannot be reached.
std::pair<unsigned, std::string> admin_call(const std::string& server, const std::string& token, http::verb verb,
                                            const std::string& target, std::string body = {});

// POST /api/v1/prefetch?image=ref; throws unless every blob was fetched.
void prefetch(const std::string& server, const std::string& token, const std::string& ref);

// DELETE /api/v1/cache?ref=ref; throws unless the whole image left the cache (none in use or pinned).
void evict(const std::string& server, const std::string& token, const std::string& ref);

// The body bytes a running strata has received from one upstream, by its /metrics.
std::optional<std::uint64_t> upstream_body_bytes(const std::string& server, const std::string& token,
                                                 const std::string& upstream);

// Records events in a running strata's pull event log (POST /api/v1/events), as JSON lines in
// requests of at most 4 MiB and 8192 events; throws std::runtime_error with strata's answer when one is refused
// (the requests before it stay recorded).
void record_events(const std::string& server, const std::string& token, const std::vector<storage::pull_event>& events);

}  // namespace strata::proxy

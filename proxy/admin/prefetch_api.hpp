// prefetch_api: POST /api/v1/prefetch, streaming the job's progress as JSON lines.
#pragma once

#include "proxy/net.hpp"
#include "proxy/server/proxy_context.hpp"

namespace strata::proxy {

// POST /api/v1/prefetch?image=REF[&image=REF...][&platform=os/arch][&concurrency=N]
// Answers 200 with a chunked application/x-ndjson body: one line per finished blob or failed
// image, then {"summary": {...}}. 400 without images or with a bad concurrency, 405 for other
// methods. The caller has already checked the admin token.
awaitable<bool> handle_prefetch(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                                storage::pull_event& ev);

}  // namespace strata::proxy

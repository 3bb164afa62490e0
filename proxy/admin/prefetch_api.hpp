// prefetch_api: POST /api/v1/prefetch, streaming the job's progress as JSON lines.
#pragma once

#include "proxy/net.hpp"
#include "proxy/registry/prefetch.hpp"
#include "proxy/reply/reply.hpp"

namespace strata::proxy {

// POST /api/v1/prefetch?image=REF[&image=REF...][&platform=os/arch][&concurrency=N]
// Answers 200 with a chunked application/x-ndjson body: one line per finished blob or failed
// image, then {"summary": {...}}. 400 without images or with a bad concurrency, 405 for other
// methods. The caller has already checked the admin token.
// The one admin answer that streams: the job runs while its progress is written.
reply handle_prefetch(const prefetch_services& services, const request& req);

}  // namespace strata::proxy

// reply_writer: writes an endpoint's reply to the client and records what was sent in the pull event.
#pragma once

#include "proxy/net.hpp"
#include "proxy/reply/reply.hpp"
#include "storage/events/pull_event.hpp"

#include <chrono>
#include <cstdint>
#include <string_view>

namespace strata::proxy {

// Nanoseconds from start_ns (since the epoch) to now.
std::int64_t since_ns(std::int64_t start_ns);

// Writes r as the answer to req, in req's HTTP version and with keep-alive as the client asked.
// A response to HEAD never carries a body, whatever its kind: only its header is written, whose
// Content-Length still says what GET would send. Records in ev the served object, the status,
// the body bytes sent and the time to the first byte; a blob's sendfile waits at most
// idle_timeout for the client to take more. Returns whether the connection may carry another
// request.
awaitable<bool> write_reply(client_stream& stream, const request& req, reply& r, storage::pull_event& ev,
                            std::chrono::milliseconds idle_timeout);

}  // namespace strata::proxy

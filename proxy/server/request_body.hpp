// request_body: the one request whose body strata reads (POST /api/v1/events): which it is, who may send one, reading it.
#pragma once

#include "proxy/net.hpp"
#include "proxy/reply/client_stream.hpp"
#include "proxy/server/proxy_context.hpp"
#include "proxy/server/request_parser.hpp"
#include "proxy/server/router.hpp"

#include <atomic>
#include <chrono>
#include <string>

namespace strata::proxy {

// True for a request whose body the session reads (or refuses in read_request_body's words)
// instead of refusing it with a plain 400: POST /api/v1/events on a main listener.
bool takes_body(const request& req, const request_context& rc);

// A body in memory, at most one in the whole process at a time: an import is rare, and this
// bounds what bodies hold to events_import_max_bytes however many admins send at once.
class request_body {
public:
    request_body() = default;
    request_body(const request_body&) = delete;
    request_body& operator=(const request_body&) = delete;
    ~request_body() { release(); }

    // Claims the process's one body; false while another connection holds it.
    bool claim();
    std::string& bytes() noexcept { return bytes_; }
    // Frees the bytes and the claim.
    void release() noexcept;

private:
    static std::atomic<bool> held_;
    bool claimed_ = false;
    std::string bytes_;
};

// Reads the body of a request takes_body chose into body, or answers and returns false, the
// connection then ending with its body unread:
//  - 404 when this listener serves no admin API, the admin guard's 401 or 429, and 409 when
//    this strata keeps no event log, all before a byte of the body is read;
//  - 411 for a chunked body (a Content-Length is needed), 413 for one over
//    events_import_max_bytes, 429 while another connection's body is held;
//  - nothing for a client that goes away, or whose body takes longer than idle plus a second
//    per 256 KiB.
// Answers "100 Continue" first when the client waits for it.
awaitable<bool> read_request_body(client_stream& stream, beast::flat_buffer& buffer, const request_parser& parser,
                                  const proxy_context& ctx, const request_context& rc, request_body& body,
                                  std::chrono::steady_clock::duration idle);

}  // namespace strata::proxy

// reply: what an endpoint answers; the server writes it and records it in the pull event.
#pragma once

#include "proxy/net.hpp"
#include "proxy/reply/client_stream.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace strata::storage {
struct pull_event;
}

namespace strata::proxy {

class blob_fetch;

// Docker-Distribution-API-Version, on every response.
inline constexpr std::string_view registry_api_version = "registry/2.0";

// A response built whole: errors, JSON, text, tag lists. The server sets its HTTP version,
// keep-alive and the registry's common fields.
using whole_response = http::response<http::string_body>;

// A 200 response whose fixed header fields were serialized once and are shared by every
// request that sends them (a hot manifest). The server writes the status line, head, the
// per-request fields and the connection's keep-alive, then body. owner keeps head and body alive.
struct shared_response {
    std::shared_ptr<const void> owner;
    std::string_view head;          // "Name: value\r\n" lines, Content-Length included
    std::string_view body;
    std::string_view extra_fields;  // strata's own per-request lines (static text), each ending in CRLF
};

// A blob, or the range of it the request asks for, sent from a file with sendfile(2).
struct file_response {
    std::string digest;
    int fd = -1;
    std::uint64_t size = 0;
    blob_fetch* live = nullptr;     // the download still writing the file: bytes are sent as they land
    bool started_download = false;  // this request started it: the pull's upstream time is its time
    std::shared_ptr<void> keep;     // keeps fd open and the blob safe from eviction until sent
};

// A response written as it is produced (prefetch progress, a range passed through from the
// upstream); write returns whether the connection may carry another request, and may correct
// the pull event's status and bytes sent.
struct streamed_response {
    std::function<awaitable<bool>(client_stream&, const request&, storage::pull_event&)> write;
};

// What the pull event records of the object a registry reply serves; the server adds the
// status, bytes sent and timing. digest and media_type view text that keep owns (a cached
// manifest, a blob's hold), so a hot reply copies no string.
struct served_object {
    std::string_view digest;
    std::string_view media_type;
    std::uint64_t size = 0;
    std::string_view cache_status;  // static text: "hit", "miss", "coalesced", "stale"
    std::int64_t upstream_ns = 0;
    std::uint64_t upstream_bytes = 0;
    std::shared_ptr<const void> keep;
};

struct reply {
    std::variant<whole_response, shared_response, file_response, streamed_response> body;
    served_object object;
};

}  // namespace strata::proxy

// Sends blob bytes from a file to a client, with sendfile(2) or through TLS, following a live fetch.
#pragma once

#include "proxy/registry/blob_fetch.hpp"
#include "proxy/net.hpp"
#include "proxy/reply/client_stream.hpp"

#include <chrono>
#include <cstdint>

namespace strata::proxy {

// Sends bytes [first, first + length) of fd to the client: on a plain connection without copying
// them through user space (sendfile), through TLS in 64 KiB reads. With live set, sends each
// byte as soon as the fetch has written it, but withholds the blob's final byte until the fetch
// has verified and committed it: a client never receives a complete blob that did not match its
// digest, while a range that ends earlier is served as soon as its bytes are on disk (its client
// verifies the blob it assembles). Returns errc::ok when all bytes were sent; otherwise the
// response is broken and the connection must be closed. sent counts the bytes written so far.
awaitable<errc> send_file_range(client_stream& stream, int fd, std::uint64_t first, std::uint64_t length,
                                blob_fetch* live, std::chrono::milliseconds idle_timeout, std::uint64_t& sent);

}  // namespace strata::proxy

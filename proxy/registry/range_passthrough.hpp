// range_passthrough: a client's Range request for blob bytes strata does not hold yet, answered
// from ranged upstream GETs as they arrive.
#pragma once

#include "proxy/net.hpp"
#include "proxy/reply/client_stream.hpp"
#include "proxy/protocol/byte_range.hpp"
#include "proxy/upstream/upstream_client.hpp"
#include "storage/events/pull_event.hpp"
#include "storage/oci/digest.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace strata::proxy {

// One request's pass-through. For each range strata sends the upstream a GET with that range
// alone ("bytes=first-last", written from the numbers; for several ranges, one GET for each
// run of ascending ranges less than 256 KiB apart, the gaps read and dropped) and streams the
// answer on:
//  - a 206 whose Content-Range is exactly the range asked for (and whose complete length is
//    the blob's, when strata knows it) is passed on;
//  - a 200 (an upstream that ignores Range) has its leading bytes skipped and the range cut out;
//  - anything else answers the client with an error (416 for the upstream's 416).
// A range that turns out to be the whole blob is declined (503): a whole blob goes out only
// verified. One range is a 206 with its Content-Range; several are multipart/byteranges, for which the
// blob's size is needed first (known_size, else a HEAD). What it cannot verify: the bytes of a
// range alone cannot be checked against the blob's digest; they are the upstream's, as a
// client asking the upstream directly would get them. The whole blob, when it is fetched in
// the background, is verified as always before it is kept or served whole.
struct range_passthrough {
    upstream_client& client;
    std::string repository;
    storage::digest digest;
    std::vector<range_spec> specs;
    std::optional<std::uint64_t> known_size;  // the blob's length, from a download or an upstream's 416
    std::chrono::milliseconds idle_timeout;
    std::vector<char> relay_buffer = {};  // reused across the parts of one answer

    awaitable<bool> write(client_stream& stream, const request& req, storage::pull_event& ev);

private:
    struct opened;
    awaitable<result<opened>> open_range(const range_spec& spec, std::optional<std::uint64_t> size);
    awaitable<result<opened>> open_span(const byte_range& covering, std::uint64_t size);
    awaitable<bool> relay(client_stream& stream, opened& part, std::uint64_t skip, std::uint64_t length,
                          storage::pull_event& ev);
    awaitable<bool> write_one(client_stream& stream, const request& req, storage::pull_event& ev);
    awaitable<bool> write_multipart(client_stream& stream, const request& req, storage::pull_event& ev);
    awaitable<result<std::uint64_t>> blob_size();
    http::response<http::empty_body> head_of(const request& req, http::status status) const;
    awaitable<bool> decline_whole(client_stream& stream, const request& req, storage::pull_event& ev,
                                  std::string_view why);
    awaitable<bool> refuse(client_stream& stream, const request& req, storage::pull_event& ev, error_code ec,
                           std::optional<std::uint64_t> complete);
};

}  // namespace strata::proxy

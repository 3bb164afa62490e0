// fuzz_http_request: client request bytes through what the server does before routing: Beast's
// request parser with strata's 32 KiB header limit (proxy/server/server.cpp), the framing checks
// (proxy/server/request_framing), then the target, Accept and Range of a request that parsed
// (proxy/protocol/route, proxy/protocol/accept, proxy/protocol/byte_range) against the default configuration.
#include "proxy/protocol/accept.hpp"
#include "proxy/protocol/byte_range.hpp"
#include "proxy/config/config.hpp"
#include "proxy/net.hpp"
#include "proxy/server/request_framing.hpp"
#include "proxy/server/request_parser.hpp"
#include "proxy/protocol/route.hpp"
#include "storage/oci/manifest.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace strata;
using namespace strata::proxy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const config cfg = default_config();

    static request_slot slot;  // as a connection's, reused from input to input
    auto& parser = slot.next();
    std::size_t used = 0;
    bool framing_checked = false;
    error_code ec;
    // As a socket read would deliver it: all the bytes, then end of stream.
    for (int step = 0; step < 64 && !parser.is_done(); ++step) {
        const auto n = parser.put(asio::buffer(data + used, size - used), ec);
        used += n;
        const bool stalled = ec == http::error::need_more && n == 0;
        if (ec == http::error::need_more) ec = {};
        if (ec) break;
        if (parser.is_header_done() && !framing_checked) {
            framing_checked = true;
            // Beast 1.81 applies header_limit to the request line and then again to the fields
            // (the limit is not reduced by the line's length when both come in one read).
            FUZZ_CHECK(used <= 2 * max_request_header_bytes);
            // The server answers a framing error and closes without reading on.
            if (check_request_framing(parser.get().base())) return 0;
        }
        if (stalled) {
            // As Beast's read does at end of stream: end_of_stream before any byte (put_eof's
            // precondition is that some arrived), else whatever put_eof makes of the rest.
            if (parser.got_some())
                parser.put_eof(ec);
            else
                ec = http::error::end_of_stream;
            break;
        }
    }
    if (ec || !parser.is_done()) return 0;
    FUZZ_CHECK(used <= size);

    const auto& req = parser.get();
    FUZZ_CHECK(req.target().size() <= size);
    if (auto r = parse_route(req.target(), cfg); r && r->kind != endpoint::unknown && r->kind != endpoint::base &&
                                                 r->kind != endpoint::blob_upload)
        FUZZ_CHECK(r->upstream != nullptr);

    accept_list accepts;
    for (const auto& field : req)
        if (field.name() == http::field::accept) accepts.add_header(field.value());
    (void)accepts.accepts(storage::media_type::oci_manifest);
    if (auto ranges = resolve_ranges(req[http::field::range], 1 << 20))
        for (const auto& r : *ranges) FUZZ_CHECK(r.first <= r.last && r.last < (1 << 20));
    return 0;
}

// range_passthrough: ranged upstream GETs checked and streamed on, one range or several.
#include "proxy/registry/range_passthrough.hpp"

#include "proxy/protocol/upstream_status.hpp"
#include "proxy/reply/oci_error.hpp"
#include "proxy/reply/reply.hpp"
#include "storage/clock.hpp"

#include <spdlog/spdlog.h>


namespace strata::proxy {
namespace {

constexpr std::chrono::seconds write_timeout{60};

// Bytes between two ranges of one multipart request that are read from the upstream and
// dropped rather than asked for separately: less than a WAN round trip's worth.
constexpr std::uint64_t max_span_gap = 256 * 1024;

// Whether an upstream's 206 range is exactly what spec asks of a blob of `complete` bytes.
bool answers(const range_spec& spec, const content_range& got) {
    const auto expected = resolve_specs({spec}, got.complete);
    return expected && expected->size() == 1 && expected->front() == got.range;
}

}  // namespace

// An upstream answer for one range: the stream positioned at the range's first byte (skip
// counts the bytes of a whole-blob answer before it) and the range within the blob.
struct range_passthrough::opened {
    response_stream body;
    byte_range range;
    std::uint64_t complete = 0;
    std::uint64_t skip = 0;
    bool whole = false;  // a 200: the blob from its first byte, whatever was asked
};

awaitable<result<range_passthrough::opened>> range_passthrough::open_range(const range_spec& spec,
                                                                          std::optional<std::uint64_t> size) {
    http::fields headers;
    headers.set(http::field::range, spec.header_value());
    auto res = co_await client.open("/v2/" + repository + "/blobs/" + digest.str(), headers, repository);
    if (!res) co_return res.error();
    const auto status = res->status();
    if (status == 206) {
        const auto got = parse_content_range(res->headers()[http::field::content_range]);
        const auto length = res->content_length();
        if (!got || !answers(spec, *got) || (size && got->complete != *size) || (length && *length != got->range.length())) {
            spdlog::warn("upstream range refused upstream={} digest={} asked=\"{}\" reason=\"Content-Range or length "
                         "not the range asked for\"", client.config().name, digest.str(), spec.header_value());
            co_return errc::upstream_protocol;
        }
        co_return opened{std::move(*res), got->range, got->complete, 0};
    }
    if (status == 200) {  // Range ignored: the whole blob comes, and the range is cut out of it
        const auto length = res->content_length();
        if (!length || (size && *length != *size)) co_return errc::upstream_protocol;
        auto within = resolve_specs({spec}, *length);
        if (!within) co_return within.error();
        const auto r = within->front();
        co_return opened{std::move(*res), r, *length, r.first, true};
    }
    if (status == 416) {  // "bytes */<complete>" tells the client the blob's length
        const auto v = res->headers()[http::field::content_range];
        if (v.starts_with("bytes */")) {
            if (const auto n = parse_content_length(v.substr(8))) known_size = *n;
        }
        co_return errc::range_unsatisfiable;
    }
    co_return upstream_failure(status, "", object_kind::blob);
}

// Sends `length` bytes of part's body on after dropping `skip` bytes; reads nothing past them.
awaitable<bool> range_passthrough::relay(client_stream& stream, opened& part, std::uint64_t skip,
                                         std::uint64_t length, storage::pull_event& ev) {
    relay_buffer.resize(64 * 1024);
    auto& buffer = relay_buffer;
    std::uint64_t left = length;
    while (skip + left > 0) {
        error_code ec;
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), skip + left));
        const auto n = co_await part.body.read(buffer.data(), want, ec);
        if (ec || n == 0) {
            spdlog::warn("range pass-through cut short upstream={} digest={} missing={}", client.config().name,
                         digest.str(), left);
            co_return false;
        }
        ev.upstream_bytes += n;
        std::size_t from = 0;
        if (skip) {
            from = static_cast<std::size_t>(std::min<std::uint64_t>(skip, n));
            skip -= from;
        }
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(left, n - from));
        if (take == 0) continue;
        stream.expires_after(write_timeout);
        auto [wec, written] = co_await asio::async_write(stream, asio::buffer(buffer.data() + from, take), with_ec);
        if (wec) co_return false;
        ev.bytes_sent += written;
        left -= take;
    }
    co_return true;
}

http::response<http::empty_body> range_passthrough::head_of(const request& req, http::status status) const {
    http::response<http::empty_body> res{status, req.version()};
    res.keep_alive(req.keep_alive());
    res.set(http::field::server, "strata");
    res.set("Docker-Distribution-API-Version", registry_api_version);
    res.set("Docker-Content-Digest", digest.str());
    res.set(http::field::accept_ranges, "bytes");
    res.set("X-Strata-Cache", "miss");
    return res;
}

awaitable<bool> range_passthrough::refuse(client_stream& stream, const request& req, storage::pull_event& ev,
                                          error_code ec, std::optional<std::uint64_t> complete) {
    std::string detail = digest.str();
    std::optional<upstream_client::down_notice> down;
    if (to_errc(ec) == errc::upstream_down) {
        down = client.why_down();
        detail += ": " + down->detail;
    }
    auto res = make_error_response(to_errc(ec), detail, req.version(), req.keep_alive());
    res.set(http::field::server, "strata");
    if (down) res.set(http::field::retry_after, std::to_string(down->retry_after_seconds));
    if (to_errc(ec) == errc::range_unsatisfiable && complete)
        res.set(http::field::content_range, "bytes */" + std::to_string(*complete));
    ev.http_status = res.result_int();
    stream.expires_after(write_timeout);
    auto [wec, n] = co_await http::async_write(stream, res, with_ec);
    co_return !wec && res.keep_alive();
}

awaitable<bool> range_passthrough::decline_whole(client_stream& stream, const request& req,
                                                storage::pull_event& ev, std::string_view why) {
    // A whole blob goes out only verified: 503, and the client's retry takes that path.
    spdlog::info("range pass-through declined upstream={} digest={} reason=\"{}\"", client.config().name, digest.str(),
                 why);
    co_return co_await refuse(stream, req, ev, errc::upstream_unavailable, std::nullopt);
}

awaitable<bool> range_passthrough::write_one(client_stream& stream, const request& req, storage::pull_event& ev) {
    const auto started = storage::now_ns();
    auto part = co_await open_range(specs.front(), known_size);
    ev.upstream_ns = storage::now_ns() - started;
    if (!part) co_return co_await refuse(stream, req, ev, part.error(), known_size);
    if (part->range.first == 0 && part->range.last + 1 == part->complete) {
        // The whole blob after all (a suffix or an end past it). A retry finds the blob's length
        // known and takes the verified path.
        co_return co_await decline_whole(stream, req, ev, "the range is the whole blob");
    }
    auto res = head_of(req, http::status::partial_content);
    res.set(http::field::content_type, "application/octet-stream");
    res.set(http::field::content_range, "bytes " + std::to_string(part->range.first) + "-" +
                                            std::to_string(part->range.last) + "/" + std::to_string(part->complete));
    res.content_length(part->range.length());
    ev.http_status = 206;
    ev.object_size = part->complete;
    http::response_serializer<http::empty_body> serializer(res);
    stream.expires_after(write_timeout);
    auto [ec, n] = co_await http::async_write_header(stream, serializer, with_ec);
    ev.ttfb_ns = storage::now_ns() - ev.ts_ns;
    if (ec) co_return false;
    co_return co_await relay(stream, *part, part->skip, part->range.length(), ev) && res.keep_alive();
}

awaitable<result<std::uint64_t>> range_passthrough::blob_size() {
    if (known_size) co_return *known_size;
    const http::fields none;  // named: GCC 12 mishandles temporaries inside co_await
    auto res = co_await client.fetch(http::verb::head, "/v2/" + repository + "/blobs/" + digest.str(), none, 0,
                                     repository);
    if (!res) co_return res.error();
    if (res->status != 200) co_return upstream_failure(res->status, "", object_kind::blob);
    const auto length = parse_content_length(res->headers[http::field::content_length]);
    if (!length) co_return errc::upstream_protocol;
    co_return *length;
}

awaitable<bool> range_passthrough::write_multipart(client_stream& stream, const request& req,
                                                   storage::pull_event& ev) {
    const auto size = co_await blob_size();
    if (!size) co_return co_await refuse(stream, req, ev, size.error(), std::nullopt);
    const auto ranges = resolve_specs(specs, *size);
    if (!ranges) co_return co_await refuse(stream, req, ev, ranges.error(), *size);
    std::uint64_t asked = 0;
    for (const auto& r : *ranges) asked += r.length();
    if (asked == *size) co_return co_await decline_whole(stream, req, ev, "the ranges are the whole blob");
    const auto spans = plan_upstream_spans(*ranges, max_span_gap);
    if (!spans) co_return co_await refuse(stream, req, ev, spans.error(), *size);
    const auto plan = plan_multipart(*ranges, *size, "application/octet-stream", multipart_boundary());
    // The first span is opened before the header goes out, so that an upstream refusing it is
    // answered with an error rather than a cut multipart body.
    const auto started = storage::now_ns();
    auto first = co_await open_span(spans->front().covering, *size);
    ev.upstream_ns = storage::now_ns() - started;
    if (!first) co_return co_await refuse(stream, req, ev, first.error(), *size);
    std::optional<opened> span;
    span.emplace(std::move(*first));
    auto res = head_of(req, http::status::partial_content);
    res.set(http::field::content_type, plan.content_type);
    res.content_length(plan.content_length);
    ev.http_status = 206;
    ev.object_size = *size;
    http::response_serializer<http::empty_body> serializer(res);
    stream.expires_after(write_timeout);
    auto [ec, n] = co_await http::async_write_header(stream, serializer, with_ec);
    ev.ttfb_ns = storage::now_ns() - ev.ts_ns;
    if (ec) co_return false;
    std::size_t i = 0;
    std::uint64_t position = spans->front().covering.first - span->skip;  // where the body stands
    for (std::size_t s = 0; s < spans->size(); ++s) {
        const auto& covering = (*spans)[s].covering;
        // An upstream that ignored Range sends the whole blob: later spans come from that same
        // body while they lie ahead of it, so the upstream sends the blob at most once per turn.
        if (s > 0 && !(span->whole && covering.first >= position)) {
            auto next = co_await open_span(covering, *size);
            if (!next) co_return false;  // the header is out: all a client can be told is a cut body
            span.reset();
            span.emplace(std::move(*next));
            position = covering.first - span->skip;
        }
        for (; i < (*spans)[s].end; ++i) {
            const auto& r = (*ranges)[i];
            stream.expires_after(write_timeout);
            auto [hec, hn] = co_await asio::async_write(stream, asio::buffer(plan.part_heads[i]), with_ec);
            if (hec || !co_await relay(stream, *span, r.first - position, r.length(), ev)) co_return false;
            ev.bytes_sent += hn;
            position = r.last + 1;
        }
    }
    stream.expires_after(write_timeout);
    auto [cec, cn] = co_await asio::async_write(stream, asio::buffer(plan.closing), with_ec);
    ev.bytes_sent += cn;
    co_return !cec && res.keep_alive();
}

awaitable<result<range_passthrough::opened>> range_passthrough::open_span(const byte_range& covering,
                                                                         std::uint64_t size) {
    co_return co_await open_range(range_spec{covering.first, covering.last, 0}, size);
}

awaitable<bool> range_passthrough::write(client_stream& stream, const request& req, storage::pull_event& ev) {
    ev.cache_status.assign("miss");
    ev.upstream_bytes = 0;
    if (specs.size() == 1) co_return co_await write_one(stream, req, ev);
    co_return co_await write_multipart(stream, req, ev);
}

}  // namespace strata::proxy

// reply_writer: whole responses through Beast; hot manifests as pre-built lines in one writev;
// blobs as a header then sendfile.
#include "proxy/server/reply_writer.hpp"

#include "proxy/protocol/byte_range.hpp"
#include "proxy/registry/blob_fetch.hpp"
#include "proxy/registry/blob_sender.hpp"
#include "proxy/reply/oci_error.hpp"
#include "storage/clock.hpp"

#include <spdlog/spdlog.h>

#include <array>

namespace strata::proxy {
namespace {

constexpr std::chrono::seconds write_timeout{60};
constexpr std::chrono::seconds large_write_timeout{300};  // bodies of a MiB and more (event exports)

template <class Body>
void set_common(http::response<Body>& res, const request& req) {
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    res.set(http::field::server, "strata");
    res.set("Docker-Distribution-API-Version", registry_api_version);
}

void record_object(const served_object& object, storage::pull_event& ev) {
    if (!object.digest.empty()) ev.digest.assign(object.digest);
    if (!object.media_type.empty()) ev.media_type.assign(object.media_type);
    if (object.size) ev.object_size = object.size;
    if (!object.cache_status.empty()) ev.cache_status.assign(object.cache_status);
    ev.upstream_ns = object.upstream_ns;
    ev.upstream_bytes = object.upstream_bytes;
}

awaitable<bool> write_whole(client_stream& stream, const request& req, whole_response& res,
                            storage::pull_event& ev) {
    set_common(res, req);
    ev.http_status = res.result_int();
    ev.ttfb_ns = since_ns(ev.ts_ns);
    stream.expires_after(res.body().size() >= (1u << 20) ? large_write_timeout : write_timeout);
    if (req.method() == http::verb::head) {
        http::response<http::empty_body> head{res.base()};
        auto [ec, n] = co_await http::async_write(stream, head, with_ec);
        co_return !ec && res.keep_alive();
    }
    auto [ec, n] = co_await http::async_write(stream, res, with_ec);
    if (!ec) ev.bytes_sent = res.body().size();
    co_return !ec && res.keep_alive();
}

// The connection header a response needs for the client's keep-alive wish, if any.
std::string_view connection_line(const request& req) {
    const bool http11 = req.version() >= 11;
    if (req.keep_alive()) return http11 ? "" : "Connection: keep-alive\r\n";
    return http11 ? "Connection: close\r\n" : "";
}

// One writev, tried at once on the non-blocking socket (of a plain connection): a hot manifest almost always fits the
// socket buffer, so no asynchronous operation, timer or allocation is needed. What does not
// fit is written asynchronously under the write timeout.
awaitable<bool> write_shared(client_stream& stream, const request& req, const shared_response& s,
                             storage::pull_event& ev) {
    const bool head_only = req.method() == http::verb::head;
    const std::array<asio::const_buffer, 6> buffers{
        asio::buffer(req.version() >= 11 ? std::string_view("HTTP/1.1 200 OK\r\n") : std::string_view("HTTP/1.0 200 OK\r\n")),
        asio::buffer(s.head), asio::buffer(s.extra_fields), asio::buffer(connection_line(req)),
        asio::buffer(std::string_view("\r\n")), asio::buffer(head_only ? std::string_view() : s.body)};
    ev.http_status = 200;
    ev.ttfb_ns = since_ns(ev.ts_ns);
    error_code ec;
    // Straight to the socket only without TLS: encrypted bytes go through the stream.
    const auto written = stream.is_tls() ? 0 : stream.socket().write_some(buffers, ec);
    if (written < asio::buffer_size(buffers) && (!ec || ec == asio::error::would_block)) {
        beast::buffers_suffix<std::array<asio::const_buffer, 6>> rest(buffers);
        rest.consume(written);
        stream.expires_after(write_timeout);
        std::size_t more = 0;
        std::tie(ec, more) = co_await asio::async_write(stream, rest, with_ec);
    }
    if (ec) co_return false;
    ev.bytes_sent = head_only ? 0 : s.body.size();
    co_return req.keep_alive();
}

// The pull's upstream time and bytes, when its request started the download: recorded however
// the response ends (also on a 416 or a client gone before the header).
struct download_recorder {
    const file_response& file;
    storage::pull_event& ev;
    ~download_recorder() {
        if (!file.started_download) return;
        const auto done = file.live->state();
        ev.upstream_ns = done.upstream_ns;
        ev.upstream_bytes = done.written;
    }
};

// The bytes of each range in turn, each after its part head, then the closing delimiter.
awaitable<errc> send_parts(client_stream& stream, const file_response& f, const std::vector<byte_range>& ranges,
                           const multipart_plan& plan, std::chrono::milliseconds idle_timeout, std::uint64_t& sent) {
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        stream.expires_after(write_timeout);
        auto [ec, n] = co_await asio::async_write(stream, asio::buffer(plan.part_heads[i]), with_ec);
        if (ec) co_return errc::storage_failed;
        sent += n;
        stream.expires_never();
        const auto part = co_await send_file_range(stream, f.fd, ranges[i].first, ranges[i].length(), f.live,
                                                   idle_timeout, sent);
        if (part != errc::ok) co_return part;
    }
    stream.expires_after(write_timeout);
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(plan.closing), with_ec);
    sent += n;
    co_return ec ? errc::storage_failed : errc::ok;
}

awaitable<bool> write_file(client_stream& stream, const request& req, const file_response& f,
                           storage::pull_event& ev, std::chrono::milliseconds idle_timeout) {
    const download_recorder record_download{f, ev};
    auto ranges = resolve_ranges(req[http::field::range], f.size);
    if (!ranges) {
        auto res = make_error_response(to_errc(ranges.error()), f.digest, req.version(), req.keep_alive());
        res.set(http::field::content_range, "bytes */" + std::to_string(f.size));
        co_return co_await write_whole(stream, req, res, ev);
    }
    const bool partial = !ranges->empty(), multipart = ranges->size() > 1;
    http::response<http::empty_body> res{partial ? http::status::partial_content : http::status::ok, req.version()};
    set_common(res, req);
    res.set("Docker-Content-Digest", f.digest);
    res.set(http::field::etag, "\"" + f.digest + "\"");
    res.set(http::field::accept_ranges, "bytes");
    res.set("X-Strata-Cache", ev.cache_status);
    multipart_plan plan;
    if (multipart) {
        plan = plan_multipart(*ranges, f.size, "application/octet-stream", multipart_boundary());
        res.set(http::field::content_type, plan.content_type);
        res.content_length(plan.content_length);
    } else {
        const auto r = partial ? ranges->front() : byte_range{0, f.size - 1};
        res.set(http::field::content_type, "application/octet-stream");
        if (partial)
            res.set(http::field::content_range, "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" +
                                                    std::to_string(f.size));
        res.content_length(partial ? r.length() : f.size);
    }
    ev.http_status = res.result_int();
    ev.ttfb_ns = since_ns(ev.ts_ns);
    http::response_serializer<http::empty_body> serializer(res);
    stream.expires_after(write_timeout);
    auto [ec, n] = co_await http::async_write_header(stream, serializer, with_ec);
    if (ec) co_return false;
    if (req.method() == http::verb::head) co_return res.keep_alive();
    stream.expires_never();  // sendfile bypasses the stream; its own waits carry the timeout
    const auto first = partial ? ranges->front().first : 0;
    const auto length = partial ? ranges->front().length() : f.size;
    const auto sent = multipart ? co_await send_parts(stream, f, *ranges, plan, idle_timeout, ev.bytes_sent)
                                : co_await send_file_range(stream, f.fd, first, length, f.live, idle_timeout,
                                                           ev.bytes_sent);
    if (sent != errc::ok) {
        spdlog::warn("blob response aborted digest={} error=\"{}\"", f.digest, make_error_code(sent).message());
        co_return false;
    }
    co_return res.keep_alive();
}

}  // namespace

std::int64_t since_ns(std::int64_t start_ns) { return storage::now_ns() - start_ns; }

// Not a coroutine: it returns the writer for r's kind, whose caller keeps r, req and ev alive.
awaitable<bool> write_reply(client_stream& stream, const request& req, reply& r, storage::pull_event& ev,
                            std::chrono::milliseconds idle_timeout) {
    record_object(r.object, ev);
    if (auto* whole = std::get_if<whole_response>(&r.body)) return write_whole(stream, req, *whole, ev);
    if (auto* shared = std::get_if<shared_response>(&r.body)) return write_shared(stream, req, *shared, ev);
    if (auto* file = std::get_if<file_response>(&r.body)) return write_file(stream, req, *file, ev, idle_timeout);
    ev.http_status = 200;
    ev.ttfb_ns = since_ns(ev.ts_ns);
    return std::get<streamed_response>(r.body).write(stream, req, ev);
}

}  // namespace strata::proxy

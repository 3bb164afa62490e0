// prefetch_api: query parsing and the chunked progress stream.
#include "proxy/admin/prefetch_api.hpp"

#include "proxy/registry/prefetch.hpp"
#include "proxy/protocol/query.hpp"
#include "proxy/reply/replies.hpp"

#include <charconv>
#include <utility>

namespace strata::proxy {
namespace {

constexpr std::size_t max_concurrency = 64;
constexpr auto chunk_write_timeout = std::chrono::seconds(30);

std::optional<prefetch_options> parse_options(std::string_view target) {
    prefetch_options o;
    o.images = query_values(target, "image");
    o.platform = query_value(target, "platform");
    if (const auto c = query_value(target, "concurrency"); !c.empty()) {
        const auto [end, ec] = std::from_chars(c.data(), c.data() + c.size(), o.concurrency);
        if (ec != std::errc() || end != c.data() + c.size() || o.concurrency == 0 || o.concurrency > max_concurrency)
            return std::nullopt;
    }
    if (o.images.empty()) return std::nullopt;
    return o;
}

// Runs the prefetch, writing its progress as chunks of JSON lines.
awaitable<bool> stream_prefetch(const prefetch_services& services, prefetch_options options, client_stream& stream,
                                const request& req) {
    http::response<http::empty_body> head{http::status::ok, req.version()};
    head.set(http::field::content_type, "application/x-ndjson");
    head.chunked(true);
    head.keep_alive(req.keep_alive());
    http::response_serializer<http::empty_body> serializer{head};
    stream.expires_after(chunk_write_timeout);
    auto [ec, n] = co_await http::async_write_header(stream, serializer, with_ec);
    if (ec) co_return false;
    // Workers report concurrently (on this connection's thread); one of them at a time writes, taking
    // along whatever lines the others queued meanwhile: writes to a stream must not overlap.
    bool client_gone = false, writing = false;
    std::string pending;
    const prefetch_progress progress = [&](const nlohmann::json& j) -> awaitable<void> {
        if (client_gone) co_return;  // the job goes on: its downloads are worth keeping
        pending += json_text(j) + "\n";
        if (writing) co_return;
        writing = true;
        while (!pending.empty() && !client_gone) {
            const auto text = std::exchange(pending, {});
            // Named first: GCC 12 mishandles temporaries inside co_await (see run_blocking).
            const auto chunk = http::make_chunk(asio::buffer(text));
            stream.expires_after(chunk_write_timeout);
            auto [write_ec, written] = co_await asio::async_write(stream, chunk, with_ec);
            client_gone = static_cast<bool>(write_ec);
        }
        writing = false;
    };
    const auto summary = co_await prefetch_images(services, options, progress);
    const nlohmann::json last = {{"summary", summary.to_json()}};
    co_await progress(last);
    if (client_gone) co_return false;
    stream.expires_after(chunk_write_timeout);
    const auto last_chunk = http::make_chunk_last();
    auto [end_ec, end_n] = co_await asio::async_write(stream, last_chunk, with_ec);
    co_return !end_ec && req.keep_alive();
}

}  // namespace

reply handle_prefetch(const prefetch_services& services, const request& req) {
    if (req.method() != http::verb::post)
        return refusal(http::status::method_not_allowed, "UNSUPPORTED", "prefetch needs POST", http::field::allow, "POST");
    auto options = parse_options(req.target());
    if (!options)
        return refusal(http::status::bad_request, "UNSUPPORTED", "image=REF is required (repeatable); concurrency: 1 to 64");
    auto write = [&services, o = std::move(*options)](client_stream& stream, const request& r, storage::pull_event&) {
        return stream_prefetch(services, o, stream, r);
    };
    return {streamed_response{std::move(write)}, {}};
}

}  // namespace strata::proxy

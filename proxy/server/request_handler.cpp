// The registry API endpoints: /v2/, manifests, blobs and tags/list, plus /healthz.
#include "proxy/server/request_handler.hpp"

#include "proxy/protocol/accept.hpp"
#include "proxy/registry/blob_sender.hpp"
#include "proxy/admin/analytics_api.hpp"
#include "proxy/server/blocking.hpp"
#include "proxy/protocol/byte_range.hpp"
#include "proxy/admin/events_export.hpp"
#include "proxy/server/oci_error.hpp"
#include "proxy/admin/pins_api.hpp"
#include "proxy/admin/prefetch_api.hpp"
#include "proxy/protocol/query.hpp"
#include "proxy/server/respond.hpp"
#include "proxy/protocol/route.hpp"
#include "proxy/protocol/upstream_status.hpp"
#include "storage/index/image_contents.hpp"
#include "storage/eviction/pins.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace strata::proxy {
namespace {

accept_list merged_accept(const request& req) {
    accept_list accept;
    for (const auto& field : req)
        if (field.name() == http::field::accept) accept.add_header(field.value());
    return accept;
}

awaitable<bool> handle_manifest(proxy_context& ctx, beast::tcp_stream& stream, const request& req, const route& r,
                                storage::pull_event& ev) {
    auto found = co_await ctx.manifests.get(r, merged_accept(req));
    if (!found) co_return co_await send_error(stream, req, found.error(), r.client_name + ":" + r.reference, ev);
    const auto& m = *found->manifest;
    // A digest served from cache must belong to this repository (a tag already does).
    if (m.digest == r.reference && found->status != cache_status::miss) {
        const auto allowed = co_await ctx.access.check(r, *storage::digest::parse(m.digest), object_kind::manifest);
        if (allowed != errc::ok) co_return co_await send_error(stream, req, allowed, r.client_name + "@" + m.digest, ev);
    }
    if (req.method() == http::verb::get) ctx.accesses.record(m.digest);  // keeps it from metadata GC
    ev.digest = m.digest;
    ev.media_type = m.media_type;
    ev.object_size = m.body.size();
    ev.cache_status = found->status == cache_status::revalidated ? "hit" : std::string(to_string(found->status));
    ev.upstream_ns = found->upstream_ns;
    ev.upstream_bytes = found->upstream_bytes;
    http::response<http::span_body<const char>> res{http::status::ok, req.version()};
    set_common(res, req);
    res.set(http::field::content_type, m.media_type);
    res.set("Docker-Content-Digest", m.digest);
    res.set(http::field::etag, "\"" + m.digest + "\"");
    res.set("X-Strata-Cache", to_string(found->status));
    if (found->status == cache_status::stale) res.set(http::field::warning, "110 strata \"Response is Stale\"");
    res.body() = {m.body.data(), m.body.size()};
    res.content_length(m.body.size());
    co_return co_await send(stream, req, res, ev);
}

// Writes the headers for [range of] a blob of the given size, then its bytes from fd.
awaitable<bool> serve_blob_file(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                                const storage::digest& d, int fd, std::uint64_t size, blob_fetch* live,
                                storage::pull_event& ev) {
    ev.digest = d.str();
    ev.object_size = size;
    auto range = resolve_range(req[http::field::range], size);
    if (!range) {
        auto res = make_error_response(to_errc(range.error()), d.str(), req.version(), req.keep_alive());
        res.set(http::field::content_range, "bytes */" + std::to_string(size));
        co_return co_await send(stream, req, res, ev);
    }
    const std::uint64_t first = *range ? (*range)->first : 0;
    const std::uint64_t length = *range ? (*range)->length() : size;
    http::response<http::empty_body> res{*range ? http::status::partial_content : http::status::ok, req.version()};
    set_common(res, req);
    res.set(http::field::content_type, "application/octet-stream");
    res.set("Docker-Content-Digest", d.str());
    res.set(http::field::etag, "\"" + d.str() + "\"");
    res.set(http::field::accept_ranges, "bytes");
    res.set("X-Strata-Cache", ev.cache_status);
    if (*range)
        res.set(http::field::content_range, "bytes " + std::to_string(first) + "-" +
                                                std::to_string(first + length - 1) + "/" + std::to_string(size));
    res.content_length(length);
    if (req.method() == http::verb::head) co_return co_await send(stream, req, res, ev);

    http::response_serializer<http::empty_body> serializer(res);
    stream.expires_after(response_write_timeout);
    ev.http_status = res.result_int();
    ev.ttfb_ns = since_ns(ev.ts_ns);
    auto [ec, n] = co_await http::async_write_header(stream, serializer, with_ec);
    if (ec) co_return false;
    stream.expires_never();  // sendfile bypasses the stream; its own waits carry the timeout
    const auto sent = co_await send_file_range(stream.socket(), fd, first, length, live, ctx.cfg.timeouts.client_idle,
                                               ev.bytes_sent);
    if (sent != errc::ok) {
        spdlog::warn("blob response aborted digest={} error=\"{}\"", d.str(), make_error_code(sent).message());
        co_return false;
    }
    co_return res.keep_alive();
}

// HEAD of an uncached blob asks upstream instead of downloading the blob.
awaitable<bool> head_uncached_blob(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                                   const route& r, const storage::digest& d, storage::pull_event& ev) {
    ev.digest = d.str();
    ev.cache_status = "miss";
    if (ctx.cfg.cache.offline) co_return co_await send_error(stream, req, errc::offline, d.str(), ev);
    auto& client = ctx.upstreams.client(*r.upstream);
    auto res = co_await client.fetch(http::verb::head, "/v2/" + r.repository + "/blobs/" + d.str(), {}, 0,
                                     r.repository);
    if (!res) co_return co_await send_error(stream, req, res.error(), d.str(), ev);
    if (res->status != 200)
        co_return co_await send_error(stream, req, upstream_failure(res->status, "", object_kind::blob), d.str(), ev);
    http::response<http::empty_body> out{http::status::ok, req.version()};
    set_common(out, req);
    out.set(http::field::content_type, "application/octet-stream");
    out.set("Docker-Content-Digest", d.str());
    out.set(http::field::accept_ranges, "bytes");
    out.set("X-Strata-Cache", "miss");
    // The upstream's length, but only as a number strata parsed: never its raw bytes.
    if (auto len = parse_content_length(res->headers[http::field::content_length])) out.content_length(*len);
    co_return co_await send(stream, req, out, ev);
}

awaitable<bool> follow_fetch(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                             std::shared_ptr<blob_fetch> fetch, bool started, storage::pull_event& ev) {
    ev.cache_status = started ? "miss" : "coalesced";
    auto progress = fetch->subscribe(stream.get_executor());
    auto s = fetch->state();
    // Headers wait for the upstream's length; without one, for the whole verified blob.
    while (s.state == blob_fetch::phase::connecting || (s.state == blob_fetch::phase::streaming && !s.size)) {
        co_await progress->async_receive(with_ec);
        s = fetch->state();
    }
    if (s.state == blob_fetch::phase::failed)
        co_return co_await send_error(stream, req, s.error, fetch->digest().str(), ev);
    const bool keep = co_await serve_blob_file(ctx, stream, req, fetch->digest(), fetch->fd(), *s.size, fetch.get(), ev);
    if (started) {
        const auto done = fetch->state();
        ev.upstream_ns = done.upstream_ns;
        ev.upstream_bytes = done.written;
    }
    co_return keep;
}

void record_hit(proxy_context& ctx, const storage::digest& d) {
    ctx.accesses.record(d.str());
    ctx.evictor.accessed(d);
}

awaitable<bool> handle_blob(proxy_context& ctx, beast::tcp_stream& stream, const request& req, const route& r,
                            storage::pull_event& ev) {
    auto d = storage::digest::parse(r.reference);
    if (!d) co_return co_await send_error(stream, req, d.error(), r.reference, ev);
    ev.cache_status = "hit";
    // Cached, or being downloaded for another repository: this repository must be known to hold
    // it before it is served.
    const auto running_for = ctx.fetcher.joinable(*d, r.upstream->name);
    if (running_for ? *running_for != r.repository : static_cast<bool>(ctx.blobs.open(*d))) {
        const auto allowed = co_await ctx.access.check(r, *d, object_kind::blob);
        if (allowed != errc::ok) co_return co_await send_error(stream, req, allowed, d->str(), ev);
    }
    if (req.method() == http::verb::head || ctx.cfg.cache.offline) {
        if (auto blob = ctx.blobs.open(*d)) {
            if (req.method() == http::verb::get) record_hit(ctx, *d);
            const auto lease = ctx.evictor.hold(*d);
            co_return co_await serve_blob_file(ctx, stream, req, *d, blob->fd.get(), blob->size, nullptr, ev);
        }
        if (req.method() == http::verb::head) co_return co_await head_uncached_blob(ctx, stream, req, r, *d, ev);
        co_return co_await send_error(stream, req, errc::offline, d->str(), ev);
    }
    bool started = false;
    auto acquired = ctx.fetcher.acquire(r, *d, &started);
    if (!acquired) co_return co_await send_error(stream, req, acquired.error(), d->str(), ev);
    const auto lease = ctx.evictor.hold(*d);  // not evicted while this request streams it
    if (auto* blob = std::get_if<storage::open_blob>(&*acquired)) {
        record_hit(ctx, *d);
        co_return co_await serve_blob_file(ctx, stream, req, *d, blob->fd.get(), blob->size, nullptr, ev);
    }
    co_return co_await follow_fetch(ctx, stream, req, std::get<std::shared_ptr<blob_fetch>>(*acquired), started, ev);
}

awaitable<bool> handle_tags(proxy_context& ctx, beast::tcp_stream& stream, const request& req, const route& r,
                            storage::pull_event& ev) {
    ev.cache_status = "hit";
    auto tags = co_await ctx.tag_lists.sorted_tags(r);
    if (!tags) co_return co_await send_error(stream, req, tags.error(), r.client_name, ev);
    const auto page = paginate_tags(**tags, r.page_size, r.last);
    http::response<http::string_body> res{http::status::ok, req.version()};
    set_common(res, req);
    res.set(http::field::content_type, "application/json");
    if (page.more && !page.tags.empty()) res.set(http::field::link, next_page_link(r, *r.page_size, page.tags.back()));
    res.body() = nlohmann::json{{"name", r.client_name}, {"tags", page.tags}}.dump();
    res.prepare_payload();
    ev.object_size = res.body().size();
    co_return co_await send(stream, req, res, ev);
}

awaitable<bool> dispatch(proxy_context& ctx, beast::tcp_stream& stream, const request& req, const route& r,
                         storage::pull_event& ev) {
    switch (r.kind) {
    case endpoint::base: co_return co_await send_text(stream, req, http::status::ok, "application/json", "{}", ev);
    case endpoint::manifest:
    case endpoint::blob:
    case endpoint::tags_list: {
        ev.kind = r.kind == endpoint::manifest ? "manifest" : r.kind == endpoint::blob ? "blob" : "tags";
        ev.upstream = r.upstream->name;
        ev.repository = r.repository;
        ev.reference = r.reference;
        if (r.kind == endpoint::manifest) co_return co_await handle_manifest(ctx, stream, req, r, ev);
        if (r.kind == endpoint::blob) co_return co_await handle_blob(ctx, stream, req, r, ev);
        co_return co_await handle_tags(ctx, stream, req, r, ev);
    }
    case endpoint::blob_upload:  // no method at all: an empty Allow (RFC 9110 15.5.6)
        co_return co_await send_refusal(stream, req, http::status::method_not_allowed, "UNSUPPORTED",
                                        "strata is a read-only pull-through cache; push is not proxied",
                                        http::field::allow, "", ev);
    case endpoint::unknown:
        co_return co_await send_refusal(stream, req, http::status::not_found, "NOT_FOUND", "no such endpoint", ev);
    }
    co_return co_await send_refusal(stream, req, http::status::not_found, "NOT_FOUND", "no such endpoint", ev);
}

// /readyz: storage must take a write; upstream reachability is reported, never fatal.
awaitable<bool> handle_readyz(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                              storage::pull_event& ev) {
    auto probe = [&ctx] {
        auto temp = ctx.blobs.create_temp();
        if (!temp) return std::string("cannot create a file in the data directory");
        ctx.blobs.discard(*temp);
        try {
            (void)ctx.index.blob_totals();
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    const auto problem = co_await run_blocking(ctx.blocking, std::move(probe));
    nlohmann::json body = {{"ready", problem.empty()}, {"storage", problem.empty() ? "ok" : problem}};
    body["upstreams"] = ctx.upstreams.reachability();
    co_return co_await send_text(stream, req, problem.empty() ? http::status::ok : http::status::service_unavailable,
                                 "application/json", body.dump(), ev);
}

// GET /api/v1/image?ref=upstream/repository:tag (or @digest): is the image fully cached?
awaitable<bool> handle_image_status(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                                    storage::pull_event& ev) {
    const auto ref = query_value(req.target(), "ref");
    const auto pin = storage::parse_pin(ref);
    if (!pin) {
        co_return co_await send_refusal(stream, req, http::status::bad_request, "UNSUPPORTED", "ref: upstream/repository:tag or upstream/repository@digest", ev);
    }
    auto look = [&ctx, p = *pin]() -> std::optional<nlohmann::json> {
        const auto d = storage::resolve_pin(ctx.index, p);
        if (!d) return std::nullopt;
        const auto c = storage::contents_of(ctx.index, *d);
        return nlohmann::json{{"digest", d->str()},          {"complete", c.complete()},
                              {"manifests", c.manifests.size()}, {"blobs", c.blobs.size()},
                              {"missing_manifests", c.missing_manifests}, {"missing_blobs", c.missing_blobs}};
    };
    const auto status = co_await run_blocking(ctx.blocking, std::move(look));
    if (!status) {
        co_return co_await send_refusal(stream, req, http::status::not_found, "MANIFEST_UNKNOWN", "not in strata's index", ev);
    }
    auto body = *status;
    body["ref"] = ref;
    co_return co_await send_text(stream, req, http::status::ok, "application/json", body.dump(), ev);
}

awaitable<bool> handle_admin(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                             storage::pull_event& ev, const request_context& rc) {
    if (!rc.admin_enabled)
        co_return co_await send_refusal(stream, req, http::status::not_found, "NOT_FOUND",
                                        "the admin API is disabled on this listener: set admin.token", ev);
    const auto verdict = ctx.admin.check(req[http::field::authorization], rc.peer, rc.peer_is_loopback);
    if (verdict != admin_guard::verdict::allowed) {
        if (verdict == admin_guard::verdict::throttled)
            co_return co_await send_refusal(stream, req, http::status::too_many_requests, "TOOMANYREQUESTS",
                                            "too many failed admin attempts from this address", http::field::retry_after,
                                            std::to_string(admin_guard::window.count()), ev);
        co_return co_await send_refusal(stream, req, http::status::unauthorized, "UNAUTHORIZED",
                                        "admin API needs the admin token", http::field::www_authenticate,
                                        "Bearer realm=\"strata-admin\"", ev);
    }
    const std::string_view target = req.target();
    const auto path = target.substr(0, target.find('?'));
    if (path == "/api/v1/stats") {
        const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
        co_return co_await send_text(stream, req, http::status::ok, "application/json",
                                     ctx.stats.report(now_s).dump(), ev);
    }
    if (path == "/api/v1/events") co_return co_await handle_events_export(ctx, stream, req, ev);
    if (path == "/api/v1/prefetch") co_return co_await handle_prefetch(ctx, stream, req, ev);
    if (path == "/api/v1/image") co_return co_await handle_image_status(ctx, stream, req, ev);
    if (path == "/api/v1/pins") co_return co_await handle_pins(ctx, stream, req, ev);
    if (path.starts_with("/api/v1/analytics")) co_return co_await handle_analytics(ctx, stream, req, ev);
    co_return co_await send_refusal(stream, req, http::status::not_found, "NOT_FOUND", "no such endpoint", ev);
}

}  // namespace

awaitable<bool> handle_request(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                               storage::pull_event& ev, const request_context& rc) {
    const std::string_view target = req.target();
    if (target == "/healthz") co_return co_await send_text(stream, req, http::status::ok, "text/plain", "ok\n", ev);
    if (target == "/readyz") co_return co_await handle_readyz(ctx, stream, req, ev);
    if (target == "/metrics" && ctx.cfg.server.metrics)
        co_return co_await send_text(stream, req, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                                     ctx.stats_metrics.render(), ev);
    if (rc.role == listener_role::metrics_only) {
        co_return co_await send_refusal(stream, req, http::status::not_found, "NOT_FOUND", "metrics listener", ev);
    }
    if (target.starts_with("/api/")) co_return co_await handle_admin(ctx, stream, req, ev, rc);
    auto r = parse_route(target, ctx.cfg);
    if (!r) co_return co_await send_error(stream, req, r.error(), "", ev);
    if (r->kind != endpoint::blob_upload && req.method() != http::verb::get && req.method() != http::verb::head) {
        co_return co_await send_refusal(stream, req, http::status::method_not_allowed, "UNSUPPORTED",
                                        "only GET and HEAD are served", http::field::allow, "GET, HEAD", ev);
    }
    co_return co_await dispatch(ctx, stream, req, *r, ev);
}

}  // namespace strata::proxy

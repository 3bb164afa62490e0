// router: which endpoint answers a request, in the order the listener, path and method decide it.
#include "proxy/server/router.hpp"

#include "proxy/protocol/route.hpp"
#include "proxy/reply/replies.hpp"
#include "proxy/server/reply_writer.hpp"

namespace strata::proxy {
namespace {

std::string_view kind_name(endpoint kind) {
    if (kind == endpoint::manifest) return "manifest";
    if (kind == endpoint::blob) return "blob";
    return "tags";
}

awaitable<reply> admin_reply(const proxy_context& ctx, const request& req, const request_context& rc) {
    if (!rc.admin_enabled)
        co_return refusal(http::status::not_found, "NOT_FOUND", "the admin API is disabled on this listener: set admin.token");
    const admin_caller caller{rc.peer, rc.peer_is_loopback};
    co_return co_await ctx.admin.answer(req, caller);
}

}  // namespace

awaitable<reply> route_request(const proxy_context& ctx, const request& req, storage::pull_event& ev,
                               const request_context& rc) {
    const std::string_view target = req.target();
    if (ctx.health.serves(target)) co_return co_await ctx.health.answer(target);
    if (rc.role == listener_role::metrics_only) co_return refusal(http::status::not_found, "NOT_FOUND", "metrics listener");
    if (target.starts_with("/api/")) co_return co_await admin_reply(ctx, req, rc);
    auto r = parse_route(target, ctx.cfg);
    if (!r) co_return error_reply(r.error(), "");
    if (r->kind == endpoint::blob_upload)  // no method at all: an empty Allow (RFC 9110 15.5.6)
        co_return refusal(http::status::method_not_allowed, "UNSUPPORTED",
                          "strata is a read-only pull-through cache; push is not proxied", http::field::allow, "");
    if (req.method() != http::verb::get && req.method() != http::verb::head)
        co_return refusal(http::status::method_not_allowed, "UNSUPPORTED", "only GET and HEAD are served",
                          http::field::allow, "GET, HEAD");
    if (r->kind == endpoint::unknown) co_return refusal(http::status::not_found, "NOT_FOUND", "no such endpoint");
    if (r->kind == endpoint::base) co_return text_reply(http::status::ok, "application/json", "{}");
    ev.kind = kind_name(r->kind);
    ev.upstream = r->upstream->name;
    ev.repository = r->repository;
    ev.reference = r->reference;
    co_return co_await ctx.registry.answer(req, *r);
}

awaitable<bool> handle_request(const proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                               storage::pull_event& ev, const request_context& rc) {
    auto answer = co_await route_request(ctx, req, ev, rc);
    co_return co_await write_reply(stream, req, answer, ev, ctx.cfg.timeouts.client_idle);
}

}  // namespace strata::proxy

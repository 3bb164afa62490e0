// router: which endpoint answers a request, in the order the listener, path and method decide it.
#include "proxy/server/router.hpp"

#include "proxy/reply/replies.hpp"

namespace strata::proxy {
namespace {

std::string_view kind_name(endpoint kind) {
    if (kind == endpoint::manifest) return "manifest";
    if (kind == endpoint::blob) return "blob";
    if (kind == endpoint::referrers) return "referrers";
    return "tags";
}

awaitable<reply> admin_reply(const proxy_context& ctx, const request& req, const request_context& rc) {
    if (!rc.admin_enabled)
        co_return refusal(http::status::not_found, "NOT_FOUND", "the admin API is disabled on this listener: set admin.token");
    const admin_caller caller{rc.peer, rc.peer_is_loopback};
    co_return co_await ctx.admin.answer(req, caller);
}

}  // namespace

// Not a coroutine: it returns the chosen endpoint's awaitable (which borrows req and r), so a
// registry request goes from the session to its endpoint without a frame in between.
awaitable<reply> route_request(const proxy_context& ctx, const request& req, route& r, storage::pull_event& ev,
                               const request_context& rc) {
    const std::string_view target = req.target();
    if (ctx.health.serves(target)) return ctx.health.answer(target);
    if (rc.role == listener_role::metrics_only) return at_once(refusal(http::status::not_found, "NOT_FOUND", "metrics listener"));
    if (target.starts_with("/api/")) return admin_reply(ctx, req, rc);
    if (auto parsed = parse_route(target, ctx.cfg, r); !parsed) return at_once(error_reply(parsed.error(), ""));
    if (r.kind == endpoint::blob_upload)  // no method at all: an empty Allow (RFC 9110 15.5.6)
        return at_once(refusal(http::status::method_not_allowed, "UNSUPPORTED",
                               "strata is a read-only pull-through cache; push is not proxied", http::field::allow, ""));
    if (req.method() != http::verb::get && req.method() != http::verb::head)
        return at_once(refusal(http::status::method_not_allowed, "UNSUPPORTED", "only GET and HEAD are served",
                               http::field::allow, "GET, HEAD"));
    if (r.kind == endpoint::unknown) return at_once(refusal(http::status::not_found, "NOT_FOUND", "no such endpoint"));
    if (r.kind == endpoint::base) return at_once(text_reply(http::status::ok, "application/json", "{}"));
    ev.kind.assign(kind_name(r.kind));
    ev.upstream.assign(r.upstream->name);
    ev.repository.assign(r.repository);
    ev.reference.assign(r.reference);
    return ctx.registry.answer(req, r);
}

}  // namespace strata::proxy

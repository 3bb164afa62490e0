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

awaitable<reply> admin_reply(const proxy_context& ctx, const request& req, const request_context& rc,
                             std::string_view body) {
    if (!rc.admin_enabled)
        co_return refusal(http::status::not_found, "NOT_FOUND", "the admin API is disabled on this listener: set admin.token");
    const admin_caller caller{rc.peer, rc.peer_is_loopback, body};
    co_return co_await ctx.admin.answer(req, caller);
}

// The pull's kind, upstream, repository and reference, for its event.
void record_pull(storage::pull_event& ev, const route& r) {
    ev.kind.assign(kind_name(r.kind));
    ev.upstream.assign(r.upstream->name);
    ev.repository.assign(r.repository);
    ev.reference.assign(r.reference);
}

reply base_reply() { return text_reply(http::status::ok, "application/json", "{}"); }

// The refusal a verdict other than allowed earns, counted: 401 with a Basic challenge (so
// containerd, skopeo and podman send their credentials), 429, or 403 naming what the user may
// not pull. nullopt when the verdict allows.
std::optional<reply> refusal_for(const proxy_context& ctx, const pull_auth::verdict& verdict, std::string_view upstream,
                                 std::string_view repository) {
    if (verdict.result == pull_auth::outcome::allowed) return std::nullopt;
    const bool unauthenticated = verdict.result == pull_auth::outcome::unauthenticated;
    const bool busy = verdict.result == pull_auth::outcome::busy;
    if (ctx.observer.counting)
        ctx.observer.counters.pull_refused(unauthenticated ? "unauthenticated" : busy ? "busy" : "denied");
    if (unauthenticated)
        return refusal(http::status::unauthorized, "UNAUTHORIZED", "authentication required: strata's pull users",
                       http::field::www_authenticate, "Basic realm=\"strata\", charset=\"UTF-8\"");
    if (busy)
        return refusal(http::status::too_many_requests, "TOOMANYREQUESTS", "too many password checks at once; retry",
                       http::field::retry_after, "1");
    return refusal(http::status::forbidden, "DENIED",
                   "user " + verdict.user->name + " may not pull " + std::string(repository) + " from " +
                       std::string(upstream));
}

// With pull users, what strata says about a request it cannot serve (no such upstream, a bad
// name, a method it refuses) is for users only: anyone else gets the 401 first, and learns
// nothing of the configuration.
awaitable<reply> refused_after_authentication(const proxy_context& ctx, const request& req, const request_context& rc,
                                              reply answer) {
    const auto verdict = co_await ctx.pull_users->check(req[http::field::authorization], {}, {}, rc.peer);
    if (auto refused = refusal_for(ctx, verdict, {}, {})) co_return std::move(*refused);
    co_return answer;
}

awaitable<reply> refused(const proxy_context& ctx, const request& req, const request_context& rc, reply answer) {
    if (!ctx.pull_users) return at_once(std::move(answer));
    return refused_after_authentication(ctx, req, rc, std::move(answer));
}

// With pull authentication: the credentials first, then the user's allowlist.
awaitable<reply> authorized_pull(const proxy_context& ctx, const request& req, route& r, storage::pull_event& ev,
                                 const request_context& rc) {
    const bool base = r.kind == endpoint::base;
    const std::string_view upstream = base ? std::string_view() : std::string_view(r.upstream->name);
    const auto verdict = co_await ctx.pull_users->check(req[http::field::authorization], upstream, r.repository, rc.peer);
    if (auto refused = refusal_for(ctx, verdict, upstream, r.repository)) co_return std::move(*refused);
    if (base) co_return base_reply();
    record_pull(ev, r);
    co_return co_await ctx.registry.answer(req, r);
}

}  // namespace

// Not a coroutine: it returns the chosen endpoint's awaitable (which borrows req and r), so a
// registry request goes from the session to its endpoint without a frame in between.
awaitable<reply> route_request(const proxy_context& ctx, const request& req, route& r, storage::pull_event& ev,
                               const request_context& rc, std::string_view body) {
    const std::string_view target = req.target();
    // With pull users, /metrics (repository names, upstreams) is not for anyone who reaches the
    // pull listener: the metrics listener serves it.
    if (target == "/metrics" && ctx.pull_users && rc.role == listener_role::main)
        return at_once(refusal(http::status::not_found, "NOT_FOUND",
                               "with pull users, /metrics is served on server.metrics_listen only"));
    if (ctx.health.serves(target)) return ctx.health.answer(target);
    if (rc.role == listener_role::metrics_only) return at_once(refusal(http::status::not_found, "NOT_FOUND", "metrics listener"));
    if (target.starts_with("/api/")) return admin_reply(ctx, req, rc, body);
    if (auto parsed = parse_route(target, ctx.cfg, r); !parsed) return refused(ctx, req, rc, error_reply(parsed.error(), ""));
    if (r.kind == endpoint::blob_upload)  // no method at all: an empty Allow (RFC 9110 15.5.6)
        return refused(ctx, req, rc,
                       refusal(http::status::method_not_allowed, "UNSUPPORTED",
                               "strata is a read-only pull-through cache; push is not proxied", http::field::allow, ""));
    if (req.method() != http::verb::get && req.method() != http::verb::head)
        return refused(ctx, req, rc,
                       refusal(http::status::method_not_allowed, "UNSUPPORTED", "only GET and HEAD are served",
                               http::field::allow, "GET, HEAD"));
    if (r.kind == endpoint::unknown)
        return refused(ctx, req, rc, refusal(http::status::not_found, "NOT_FOUND", "no such endpoint"));
    if (ctx.pull_users) return authorized_pull(ctx, req, r, ev, rc);
    if (r.kind == endpoint::base) return at_once(base_reply());
    record_pull(ev, r);
    return ctx.registry.answer(req, r);
}

}  // namespace strata::proxy

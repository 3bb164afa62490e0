// admin_api: the guard, then the endpoint table of /api/v1.
#include "proxy/admin/admin_api.hpp"

#include "proxy/admin/cache_api.hpp"
#include "proxy/admin/events_export.hpp"
#include "proxy/admin/events_import.hpp"
#include "proxy/admin/image_status_api.hpp"
#include "proxy/admin/images_api.hpp"
#include "proxy/admin/pins_api.hpp"
#include "proxy/admin/prefetch_api.hpp"
#include "proxy/reply/replies.hpp"

#include <chrono>

namespace strata::proxy {

reply guard_refusal(admin_guard::verdict verdict) {
    if (verdict == admin_guard::verdict::throttled)
        return refusal(http::status::too_many_requests, "TOOMANYREQUESTS", "too many failed admin attempts from this address",
                       http::field::retry_after, std::to_string(admin_guard::window.count()));
    return refusal(http::status::unauthorized, "UNAUTHORIZED", "admin API needs the admin token",
                   http::field::www_authenticate, "Bearer realm=\"strata-admin\"");
}

awaitable<reply> admin_api::answer(const request& req, const admin_caller& caller) const {
    const auto verdict = guard.check(req[http::field::authorization], caller.address, caller.loopback);
    if (verdict != admin_guard::verdict::allowed) co_return guard_refusal(verdict);
    const std::string_view target = req.target();
    const auto path = target.substr(0, target.find('?'));
    if (path == "/api/v1/stats") {
        const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
        auto report = stats.report(now_s);
        if (upstream_states) report["upstreams"] = upstream_states();
        // Node names are client header values: bytes that are not UTF-8 become U+FFFD.
        co_return json_reply(http::status::ok, report);
    }
    if (path == "/api/v1/events" && req.method() == http::verb::post)
        co_return co_await handle_events_import(event_log, events_config, blocking, caller.body);
    if (path == "/api/v1/events") co_return co_await handle_events_export(events, analytics.events_log, blocking, req);
    if (path == "/api/v1/prefetch") co_return handle_prefetch(prefetch, req);
    if (path == "/api/v1/image") co_return co_await handle_image_status(index, blocking, req);
    if (path == "/api/v1/cache") co_return co_await handle_cache_eviction(index, evictor, blocking, req);
    if (path == "/api/v1/images") co_return co_await handle_images(index, blocking, req);
    if (path == "/api/v1/pins") co_return co_await handle_pins(index, blocking, configured_pins, req);
    if (path.starts_with("/api/v1/analytics")) co_return co_await handle_analytics(analytics, req);
    co_return refusal(http::status::not_found, "NOT_FOUND", "no such endpoint");
}

}  // namespace strata::proxy

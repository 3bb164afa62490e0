// pins_api: the pin list endpoint over storage/eviction/pins.
#include "proxy/admin/pins_api.hpp"

#include "proxy/server/blocking.hpp"
#include "proxy/protocol/query.hpp"
#include "proxy/server/respond.hpp"
#include "storage/eviction/pins.hpp"

#include <nlohmann/json.hpp>

namespace strata::proxy {
awaitable<bool> handle_pins(proxy_context& ctx, beast::tcp_stream& stream, const request& req,
                            storage::pull_event& ev) {
    if (req.method() == http::verb::get) {
        auto list = [&ctx] { return storage::stored_pins(ctx.index); };
        const auto stored = co_await run_blocking(ctx.blocking, std::move(list));
        const nlohmann::json body = {{"config", ctx.cfg.storage.pinned}, {"api", stored}};
        co_return co_await send_text(stream, req, http::status::ok, "application/json", body.dump(), ev);
    }
    const auto ref = query_value(req.target(), "ref");
    if (req.method() != http::verb::put && req.method() != http::verb::delete_)
        co_return co_await send_refusal(stream, req, http::status::method_not_allowed, "UNSUPPORTED",
                                        "pins: GET, PUT ?ref= or DELETE ?ref=", http::field::allow, "GET, PUT, DELETE", ev);
    if (!storage::parse_pin(ref))
        co_return co_await send_refusal(stream, req, http::status::bad_request, "UNSUPPORTED",
                                        "ref: upstream/repository:tag or upstream/repository@digest", ev);
    const bool add = req.method() == http::verb::put;
    auto change = [&ctx, ref, add] {
        if (!add) return storage::unstore_pin(ctx.index, ref);
        storage::store_pin(ctx.index, ref);
        return true;
    };
    if (!co_await run_blocking(ctx.blocking, std::move(change)))
        co_return co_await send_refusal(stream, req, http::status::not_found, "NOT_FOUND",
                                        "no such pin added through the API", ev);
    const nlohmann::json body = {{"ref", ref}, {"pinned", add}};
    co_return co_await send_text(stream, req, http::status::ok, "application/json", body.dump(), ev);
}

}  // namespace strata::proxy

// pins_api: the pin list endpoint over storage/eviction/pins.
#include "proxy/admin/pins_api.hpp"

#include "proxy/blocking.hpp"
#include "proxy/protocol/query.hpp"
#include "proxy/reply/replies.hpp"
#include "storage/eviction/pins.hpp"

#include <nlohmann/json.hpp>

namespace strata::proxy {
awaitable<reply> handle_pins(storage::metadata_index& index, asio::thread_pool& blocking,
                             const std::vector<std::string>& configured, const request& req) {
    if (req.method() == http::verb::get) {
        auto list = [&index] { return storage::stored_pins(index); };
        const auto stored = co_await run_blocking(blocking, std::move(list));
        const nlohmann::json body = {{"config", configured}, {"api", stored}};
        co_return json_reply(http::status::ok, body);
    }
    const auto ref = query_value(req.target(), "ref");
    if (req.method() != http::verb::put && req.method() != http::verb::delete_)
        co_return refusal(http::status::method_not_allowed, "UNSUPPORTED", "pins: GET, PUT ?ref= or DELETE ?ref=",
                          http::field::allow, "GET, PUT, DELETE");
    if (!storage::parse_pin(ref))
        co_return refusal(http::status::bad_request, "UNSUPPORTED", "ref: upstream/repository:tag or upstream/repository@digest");
    const bool add = req.method() == http::verb::put;
    auto change = [&index, ref, add] {
        if (!add) return storage::unstore_pin(index, ref);
        storage::store_pin(index, ref);
        return true;
    };
    if (!co_await run_blocking(blocking, std::move(change)))
        co_return refusal(http::status::not_found, "NOT_FOUND", "no such pin added through the API");
    const nlohmann::json body = {{"ref", ref}, {"pinned", add}};
    co_return json_reply(http::status::ok, body);
}

}  // namespace strata::proxy

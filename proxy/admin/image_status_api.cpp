// image_status_api: a cached image's contents, from the index.
#include "proxy/admin/image_status_api.hpp"

#include "proxy/blocking.hpp"
#include "proxy/protocol/query.hpp"
#include "proxy/reply/replies.hpp"
#include "storage/eviction/pins.hpp"
#include "storage/index/image_contents.hpp"

#include <nlohmann/json.hpp>

namespace strata::proxy {

awaitable<reply> handle_image_status(storage::metadata_index& index, asio::thread_pool& blocking, const request& req) {
    const auto ref = query_value(req.target(), "ref");
    const auto pin = storage::parse_pin(ref);
    if (!pin)
        co_return refusal(http::status::bad_request, "UNSUPPORTED", "ref: upstream/repository:tag or upstream/repository@digest");
    auto look = [&index, p = *pin]() -> std::optional<nlohmann::json> {
        const auto d = storage::cached_manifest_of(index, p);
        if (!d) return std::nullopt;
        const auto c = storage::contents_of(index, *d);
        return nlohmann::json{{"digest", d->str()},          {"complete", c.complete()},
                              {"manifests", c.manifests.size()}, {"blobs", c.blobs.size()},
                              {"missing_manifests", c.missing_manifests}, {"missing_blobs", c.missing_blobs}};
    };
    const auto status = co_await run_blocking(blocking, std::move(look));
    if (!status) co_return refusal(http::status::not_found, "MANIFEST_UNKNOWN", "not in strata's index");
    auto body = *status;
    body["ref"] = ref;
    co_return json_reply(http::status::ok, body);  // the ref's bytes that are not UTF-8 become U+FFFD
}

}  // namespace strata::proxy

// cache_api: resolve the ref as the image status does, then evict blob by blob.
#include "proxy/admin/cache_api.hpp"

#include "proxy/blocking.hpp"
#include "proxy/protocol/query.hpp"
#include "proxy/reply/replies.hpp"
#include "storage/eviction/pins.hpp"
#include "storage/index/image_contents.hpp"

#include <nlohmann/json.hpp>

namespace strata::proxy {

awaitable<reply> handle_cache_eviction(storage::metadata_index& index, storage::cache_evictor& evictor,
                                       asio::thread_pool& blocking, const request& req) {
    if (req.method() != http::verb::delete_)
        co_return refusal(http::status::method_not_allowed, "UNSUPPORTED", "use DELETE /api/v1/cache?ref=…",
                          http::field::allow, "DELETE");
    const auto ref = query_value(req.target(), "ref");
    const auto pin = storage::parse_pin(ref);
    if (!pin)
        co_return refusal(http::status::bad_request, "UNSUPPORTED", "ref: upstream/repository:tag or upstream/repository@digest");
    auto evict = [&index, &evictor, p = *pin]() -> std::optional<nlohmann::json> {
        const auto d = storage::cached_manifest_of(index, p);
        if (!d) return std::nullopt;
        std::size_t removed = 0, in_use = 0, pinned = 0, not_cached = 0;
        std::uint64_t bytes = 0;
        for (const auto& text : storage::contents_of(index, *d).blobs) {
            const auto blob = storage::digest::parse(text);
            if (!blob) continue;
            const auto size = index.blob(*blob);
            switch (evictor.evict_one(*blob)) {
            case storage::cache_evictor::removal::removed:
                ++removed;
                bytes += size ? size->size : 0;
                break;
            case storage::cache_evictor::removal::pinned: ++pinned; break;
            case storage::cache_evictor::removal::absent: ++not_cached; break;
            default: ++in_use; break;
            }
        }
        return nlohmann::json{{"digest", d->str()}, {"removed_blobs", removed}, {"removed_bytes", bytes},
                              {"in_use", in_use},   {"pinned", pinned},        {"not_cached", not_cached}};
    };
    const auto outcome = co_await run_blocking(blocking, std::move(evict));
    if (!outcome) co_return refusal(http::status::not_found, "MANIFEST_UNKNOWN", "not in strata's index");
    auto body = *outcome;
    body["ref"] = ref;
    co_return json_reply(http::status::ok, body);  // the ref's bytes that are not UTF-8 become U+FFFD
}

}  // namespace strata::proxy

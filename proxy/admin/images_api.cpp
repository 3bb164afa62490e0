// images_api: the cached images from the index, as JSON pages.
#include "proxy/admin/images_api.hpp"

#include "proxy/blocking.hpp"
#include "proxy/protocol/query.hpp"
#include "proxy/reply/replies.hpp"

#include <charconv>
#include <ctime>

namespace strata::proxy {
namespace {

// "2026-11-27T03:21:30Z", or null for never.
nlohmann::json utc_time(std::int64_t ns) {
    if (ns <= 0) return nullptr;
    const std::time_t t = ns / 1'000'000'000;
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

}  // namespace

nlohmann::json images_json(const storage::image_page& page) {
    auto images = nlohmann::json::array();
    for (const auto& i : page.images)
        images.push_back({{"ref", i.key()},
                          {"upstream", i.upstream},
                          {"repository", i.repository},
                          {"tag", i.tag},
                          {"digest", i.digest},
                          {"complete", i.complete},
                          {"cached_bytes", i.cached_bytes},
                          {"blobs", i.blobs},
                          {"missing_blobs", i.missing_blobs},
                          {"last_pull", utc_time(i.last_pull_ns)}});
    nlohmann::json out{{"images", std::move(images)}};
    if (!page.next.empty()) out["next"] = page.next;
    return out;
}

awaitable<reply> handle_images(storage::metadata_index& index, asio::thread_pool& blocking, const request& req) {
    if (req.method() != http::verb::get)
        co_return refusal(http::status::method_not_allowed, "UNSUPPORTED", "images: GET only", http::field::allow, "GET");
    std::size_t n = 100;
    if (const auto text = query_value(req.target(), "n"); !text.empty()) {
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc() || end != text.data() + text.size() || n == 0 || n > max_images_per_page)
            co_return refusal(http::status::bad_request, "UNSUPPORTED", "n: a whole number from 1 to 1000");
    }
    auto list = [&index, n, last = query_value(req.target(), "last")] { return storage::list_images(index, last, n); };
    const auto page = co_await run_blocking(blocking, std::move(list));
    co_return json_reply(http::status::ok, images_json(page));
}

}  // namespace strata::proxy

// tag_list_service: upstream tag-list crawling, caching and strata's own pagination.
#include "proxy/tag_list.hpp"

#include "proxy/upstream_status.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace strata::proxy {
namespace {

// The target of a Link: <...>; rel="next" header, or empty.
std::string next_link_target(std::string_view link) {
    const auto open = link.find('<');
    const auto close = link.find('>');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return {};
    if (link.find("rel=\"next\"") == std::string_view::npos) return {};
    auto target = link.substr(open + 1, close - open - 1);
    // Only follow a relative link on the same upstream API.
    if (!target.starts_with("/v2/")) return {};
    return std::string(target);
}

}  // namespace

tag_page paginate_tags(const std::vector<std::string>& sorted, std::optional<std::size_t> n,
                       const std::string& last) {
    auto begin = last.empty() ? sorted.begin() : std::upper_bound(sorted.begin(), sorted.end(), last);
    const auto remaining = static_cast<std::size_t>(sorted.end() - begin);
    const auto take = n ? std::min(*n, remaining) : remaining;
    return {std::vector<std::string>(begin, begin + static_cast<std::ptrdiff_t>(take)), take < remaining};
}

std::string next_page_link(const route& r, std::size_t n, const std::string& last_tag) {
    std::string link = "</v2/" + r.client_name + "/tags/list?n=" + std::to_string(n) + "&last=" + last_tag;
    if (!r.ns.empty()) link += "&ns=" + r.ns;
    return link + ">; rel=\"next\"";
}

awaitable<result<std::shared_ptr<const std::vector<std::string>>>> tag_list_service::sorted_tags(const route& r) {
    const auto key = r.upstream->name + "/" + r.repository;
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        if (auto it = cache_.find(key); it != cache_.end() &&
            (cfg_.cache.offline || now - it->second.fetched < r.upstream->tag_ttl))
            co_return it->second.tags;
    }
    if (cfg_.cache.offline) co_return errc::offline;
    auto fetched = co_await fetch_all(r);
    if (!fetched) co_return fetched.error();
    std::sort(fetched->begin(), fetched->end());
    fetched->erase(std::unique(fetched->begin(), fetched->end()), fetched->end());
    auto shared = std::make_shared<const std::vector<std::string>>(std::move(*fetched));
    std::lock_guard lock(mutex_);
    cache_[key] = entry{shared, now};
    co_return shared;
}

awaitable<result<std::vector<std::string>>> tag_list_service::fetch_all(const route& r) {
    auto& client = upstreams_.client(*r.upstream);
    std::vector<std::string> tags;
    std::size_t total_bytes = 0;
    std::string target = "/v2/" + r.repository + "/tags/list";
    for (int page = 0; page < max_upstream_pages && !target.empty(); ++page) {
        auto res = co_await client.fetch(http::verb::get, target, {}, max_list_bytes, r.repository);
        if (!res) co_return res.error();
        if (res->status != 200) co_return upstream_failure(res->status, res->body, object_kind::tags);
        total_bytes += res->body.size();
        if (total_bytes > max_list_bytes) co_return errc::manifest_too_large;
        const auto doc = nlohmann::json::parse(res->body, nullptr, false);
        const auto list = doc.is_object() ? doc.find("tags") : doc.end();
        if (!doc.is_object()) co_return errc::upstream_protocol;
        if (list != doc.end() && !list->is_null()) {
            if (!list->is_array()) co_return errc::upstream_protocol;
            for (const auto& t : *list)
                if (t.is_string()) tags.push_back(t.get<std::string>());
        }
        target = next_link_target(res->headers[http::field::link]);
    }
    co_return tags;
}

}  // namespace strata::proxy

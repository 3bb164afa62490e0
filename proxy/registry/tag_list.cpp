// tag_list_service: upstream tag-list crawling, caching and strata's own pagination.
#include "proxy/registry/tag_list.hpp"

#include "proxy/protocol/upstream_status.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace strata::proxy {
namespace {

std::size_t memory_cost(const std::vector<std::string>& tags) {
    std::size_t n = sizeof(tags) + 256;
    for (const auto& t : tags) n += sizeof(std::string) + t.size();
    return n;
}

}  // namespace

std::size_t tag_list_service::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

tag_list_service::tag_list tag_list_service::find_fresh(const std::string& key,
                                                        std::chrono::steady_clock::time_point now,
                                                        std::chrono::seconds ttl) {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(key);
    if (it == cache_.end() || (!cfg_.cache.offline && now - it->second.fetched >= ttl)) return nullptr;
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    return it->second.tags;
}

void tag_list_service::keep(const std::string& key, tag_list tags, std::chrono::steady_clock::time_point fetched) {
    const auto cost = memory_cost(*tags);
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) {
        bytes_ -= it->second.bytes;
        recency_.erase(it->second.recency);
        cache_.erase(it);
    }
    if (cost > byte_budget()) return;
    recency_.push_front(key);
    cache_.emplace(key, entry{std::move(tags), fetched, cost, recency_.begin()});
    bytes_ += cost;
    while (bytes_ > byte_budget()) {
        auto oldest = cache_.find(recency_.back());
        bytes_ -= oldest->second.bytes;
        cache_.erase(oldest);
        recency_.pop_back();
    }
}

awaitable<result<tag_list_service::tag_list>> tag_list_service::sorted_tags(const route& r) {
    const auto key = r.upstream->name + "/" + r.repository;
    if (auto cached = find_fresh(key, std::chrono::steady_clock::now(), r.upstream->tag_ttl)) co_return cached;
    if (cfg_.cache.offline) co_return errc::offline;
    // Named, not a temporary in the co_await: see run_blocking.
    std::function<awaitable<result<tag_list>>()> fetch = [this, &r] { return fetch_sorted(r); };
    co_return co_await flights_.run(key, std::move(fetch));
}

awaitable<result<tag_list_service::tag_list>> tag_list_service::fetch_sorted(const route& r) {
    const auto now = std::chrono::steady_clock::now();
    auto fetched = co_await fetch_all(r);
    if (!fetched) co_return fetched.error();
    std::sort(fetched->begin(), fetched->end());
    fetched->erase(std::unique(fetched->begin(), fetched->end()), fetched->end());
    auto shared = std::make_shared<const std::vector<std::string>>(std::move(*fetched));
    keep(r.upstream->name + "/" + r.repository, shared, now);
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
        std::size_t rejected = 0;
        auto page_tags = parse_tag_page(res->body, &rejected);
        if (!page_tags) co_return page_tags.error();
        for (std::size_t i = 0; i < rejected; ++i) metrics_.upstream_value_rejected(r.upstream->name, "tag");
        if (rejected)
            spdlog::warn("upstream tags dropped upstream={} repo={} count={} reason=\"not a valid tag\"",
                         r.upstream->name, r.repository, rejected);
        tags.insert(tags.end(), std::make_move_iterator(page_tags->begin()), std::make_move_iterator(page_tags->end()));
        target = next_link_target(res->headers[http::field::link]);
    }
    co_return tags;
}

}  // namespace strata::proxy

// referrers_service: the referrers API upstream, its tag-schema fallback, and the cached lists.
#include "proxy/registry/referrers_service.hpp"

#include "proxy/blocking.hpp"
#include "proxy/protocol/tag_pages.hpp"
#include "proxy/protocol/upstream_status.hpp"
#include "proxy/reply/reply.hpp"
#include "storage/clock.hpp"
#include "storage/oci/manifest.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <spdlog/spdlog.h>

namespace strata::proxy {
namespace {

std::size_t memory_cost(const std::string& key, const referrers_entry& e) {
    std::size_t n = 2 * key.size() + e.subject.size() + e.index.size() + e.response_head.size() + 256;
    for (const auto& r : e.refs) {
        n += sizeof r + r.media_type.size() + r.digest_value.str().size() + r.artifact_type.size();
        for (const auto& [k, v] : r.annotations) n += k.size() + v.size() + 64;
    }
    return n;
}

std::shared_ptr<const referrers_entry> make_entry(const storage::digest& subject, std::vector<storage::referrer> refs,
                                                  std::int64_t fetched_at_ns) {
    referrers_entry e{subject.str(), std::move(refs), {}, {}, fetched_at_ns};
    e.index = storage::referrers_index(e.refs);
    e.response_head = "Server: strata\r\nDocker-Distribution-API-Version: " + std::string(registry_api_version) +
                      "\r\nContent-Type: " + std::string(storage::media_type::oci_index) +
                      "\r\nContent-Length: " + std::to_string(e.index.size()) + "\r\n";
    return std::make_shared<const referrers_entry>(std::move(e));
}

http::fields accept_index() {
    http::fields headers;
    headers.set(http::field::accept, storage::media_type::oci_index);
    return headers;
}

}  // namespace

referrers_service::referrers_service(const config& cfg, upstream_set& upstreams, storage::metadata_index& index,
                                     asio::thread_pool& blocking, metrics& m)
    : cfg_(cfg), upstreams_(upstreams), index_(index), blocking_(blocking), metrics_(m),
      byte_budget_(cfg.cache.manifest_memory_bytes / 8) {}

std::size_t referrers_service::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

referrers_service::entry_ptr referrers_service::remembered(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = memory_.find(key);
    return it == memory_.end() ? nullptr : it->second;
}

void referrers_service::remember(const std::string& key, entry_ptr e) {
    const auto cost = memory_cost(key, *e);
    std::lock_guard lock(mutex_);
    if (const auto it = memory_.find(key); it != memory_.end()) {
        bytes_ -= memory_cost(it->first, *it->second);
        memory_.erase(it);
    }
    if (bytes_ + cost > byte_budget_) {
        memory_.clear();
        bytes_ = 0;
    }
    if (cost > byte_budget_) return;
    memory_.emplace(key, std::move(e));
    bytes_ += cost;
}

bool referrers_service::fresh(const referrers_entry& e, const route& r) const {
    const auto ttl = std::chrono::duration_cast<std::chrono::nanoseconds>(r.upstream->tag_ttl).count();
    return storage::now_ns() - e.fetched_at_ns < ttl;
}

awaitable<referrers_service::entry_ptr> referrers_service::load(const route& r, const storage::digest& subject,
                                                                const std::string& key) {
    const storage::repository_key repo{r.upstream->name, r.repository};
    auto lookup = [this, repo, subject] { return index_.referrers_of(repo, subject); };
    auto record = co_await run_blocking(blocking_, std::move(lookup));
    if (!record) co_return nullptr;
    auto parsed = storage::parse_referrers(record->index);
    if (!parsed) co_return nullptr;  // unreadable: as if never fetched
    auto e = make_entry(subject, std::move(parsed->entries), record->fetched_at_ns);
    remember(key, e);
    co_return e;
}

awaitable<result<referrers_result>> referrers_service::get(const route& r) {
    auto subject = storage::digest::parse(r.reference);
    if (!subject) co_return subject.error();
    const auto key = r.upstream->name + "/" + r.repository + "@" + subject->str();
    auto cached = remembered(key);
    if (!cached) cached = co_await load(r, *subject, key);
    if (cached && (cfg_.cache.offline || fresh(*cached, r))) co_return referrers_result{cached, cache_status::hit};
    if (cfg_.cache.offline) co_return errc::offline;
    // With a cached list to fall back on: one try, awaited at most cache.stale_wait.
    const bool retry = !cached;
    std::function<awaitable<result<entry_ptr>>()> ask = [this, r, s = *subject, key, retry] {
        return refresh(r, s, key, retry);
    };
    if (!cached) {
        bool leader = false;
        auto fetched = co_await flights_.run(key, std::move(ask), &leader);
        if (!fetched) co_return fetched.error();
        co_return referrers_result{*fetched, leader ? cache_status::miss : cache_status::coalesced};
    }
    auto answered = co_await flights_.run_detached(key, std::move(ask), cfg_.cache.stale_wait,
                                                   manifest_service::max_background_revalidations);
    if (answered && *answered) co_return referrers_result{**answered, cache_status::revalidated};
    if (answered && !serves_stale(to_errc(answered->error()))) co_return answered->error();
    spdlog::debug("serving stale referrers upstream={} repo={} subject={} reason={}", r.upstream->name, r.repository,
                  subject->str(), answered ? answered->error().message() : std::string("no answer within stale_wait"));
    co_return referrers_result{cached, cache_status::stale};
}

awaitable<result<referrers_service::entry_ptr>> referrers_service::refresh(route r, storage::digest subject,
                                                                           std::string key, bool retry) {
    const auto fetched_at = storage::now_ns();
    auto list = co_await fetch_api(r, subject, retry);
    if (!list) co_return list.error();
    if (list->dropped) {
        metrics_.upstream_value_rejected(r.upstream->name, "referrer", list->dropped);
        spdlog::warn("upstream referrers dropped upstream={} repo={} subject={} count={} reason=\"not a valid "
                     "descriptor\"", r.upstream->name, r.repository, subject.str(), list->dropped);
    }
    auto e = make_entry(subject, std::move(list->entries), fetched_at);
    remember(key, e);
    // Only lists with referrers outlive a restart: an empty one (what any random subject gets)
    // costs memory within the budget, never a record on disk.
    if (e->refs.empty()) co_return e;
    const storage::repository_key repo{r.upstream->name, r.repository};
    auto write = [this, repo, subject, e] {
        try {
            index_.put_referrers(repo, subject, {e->index, e->fetched_at_ns});
        } catch (const std::exception& failure) {
            spdlog::warn("referrers not stored upstream={} repo={} subject={} error={}", repo.upstream, repo.repository,
                         subject.str(), storage::log_value(failure.what()));
        }
        return true;
    };
    co_await run_blocking(blocking_, std::move(write));
    co_return e;
}

awaitable<result<storage::referrer_list>> referrers_service::fetch_api(const route& r, const storage::digest& subject,
                                                                      bool retry) {
    auto& client = upstreams_.client(*r.upstream);
    storage::referrer_list all;
    std::size_t total = 0;
    std::string target = "/v2/" + r.repository + "/referrers/" + subject.str();
    for (int page = 0; page < max_upstream_pages && !target.empty(); ++page) {
        auto res = co_await client.fetch(http::verb::get, target, accept_index(), max_page_bytes, r.repository, retry);
        if (!res) co_return res.error();
        // No referrers API (distribution 2.8 answers 404, some registries 405): the tag schema.
        if (page == 0 && (res->status == 404 || res->status == 405)) co_return co_await fetch_tag_schema(r, subject, retry);
        if (res->status != 200)  // a later page missing is the upstream's failure, never "no referrers"
            co_return page == 0 ? upstream_failure(res->status, res->body, object_kind::manifest) : errc::upstream_protocol;
        total += res->body.size();
        if (total > max_total_bytes) co_return errc::manifest_too_large;
        auto parsed = storage::parse_referrers(res->body);
        if (!parsed) co_return errc::upstream_protocol;
        all.dropped += parsed->dropped;
        all.entries.insert(all.entries.end(), std::make_move_iterator(parsed->entries.begin()),
                           std::make_move_iterator(parsed->entries.end()));
        target = next_link_target(res->headers[http::field::link]);
    }
    co_return all;
}

awaitable<result<storage::referrer_list>> referrers_service::fetch_tag_schema(const route& r,
                                                                             const storage::digest& subject,
                                                                             bool retry) {
    auto& client = upstreams_.client(*r.upstream);
    const auto target = "/v2/" + r.repository + "/manifests/" + storage::referrers_tag(subject);
    auto res = co_await client.fetch(http::verb::get, target, accept_index(), max_page_bytes, r.repository, retry);
    if (!res) co_return res.error();
    if (res->status == 404) {
        // No tag: no referrers, unless the repository itself is unknown.
        const auto why = upstream_failure(res->status, res->body, object_kind::manifest);
        if (why == errc::name_unknown) co_return why;
        co_return storage::referrer_list{};
    }
    if (res->status != 200) co_return upstream_failure(res->status, res->body, object_kind::manifest);
    auto parsed = storage::parse_referrers(res->body);
    if (!parsed) {  // not an index: the spec has clients assume no referrers
        spdlog::warn("upstream referrers tag is not an index upstream={} repo={} subject={}", r.upstream->name,
                     r.repository, subject.str());
        co_return storage::referrer_list{};
    }
    co_return parsed;
}

}  // namespace strata::proxy

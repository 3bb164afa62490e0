// manifest_service: cache lookups, tag revalidation, serve-stale and verified upstream fetches.
#include "proxy/registry/manifest_service.hpp"

#include "proxy/protocol/upstream_status.hpp"
#include "proxy/blocking.hpp"
#include "storage/clock.hpp"
#include "storage/oci/manifest.hpp"
#include "storage/oci/reference.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace strata::proxy {
namespace {

bool is_fresh(const storage::tag_record& rec, std::chrono::seconds ttl) {
    return storage::now_ns() - rec.fetched_at_ns < std::chrono::duration_cast<std::chrono::nanoseconds>(ttl).count();
}

std::string manifest_path(const route& r) { return "/v2/" + r.repository + "/manifests/" + r.reference; }

std::string tag_key(const route& r) { return r.upstream->name + "/" + r.repository + ":" + r.reference; }

// The upstream's Docker-Content-Digest names other bytes than those received. Only comparable in
// the same algorithm: distribution 2.8 announces sha256 for content addressed by sha512.
bool announced_differs(std::string_view announced, const storage::digest& actual) {
    const auto prefix = actual.str().substr(0, actual.str().find(':') + 1);
    return announced.starts_with(prefix) && announced != actual.str();
}

}  // namespace

std::string_view to_string(cache_status s) noexcept {
    switch (s) {
    case cache_status::hit: return "hit";
    case cache_status::miss: return "miss";
    case cache_status::revalidated: return "revalidated";
    case cache_status::stale: return "stale";
    case cache_status::coalesced: return "coalesced";
    }
    return "unknown";
}

manifest_service::manifest_service(const config& cfg, upstream_set& upstreams, storage::metadata_index& index,
                                   asio::thread_pool& blocking, metrics& m)
    : cfg_(cfg), upstreams_(upstreams), index_(index), blocking_(blocking), metrics_(m),
      memory_(cfg.cache.manifest_memory_entries, cfg.cache.manifest_memory_bytes),
      tags_(cfg.cache.manifest_memory_bytes / 4), not_found_(cfg.cache.not_found_ttl, 4 << 20) {}

std::optional<storage::tag_record> manifest_service::tag_memo::find(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = records_.find(key);
    if (it == records_.end()) return std::nullopt;
    return it->second;
}

namespace {
std::size_t memory_cost(const std::string& key, const storage::tag_record& r) {
    return 2 * key.size() + r.digest.size() + r.media_type.size() + 160;
}
}  // namespace

void manifest_service::tag_memo::store(const std::string& key, const storage::tag_record& record) {
    std::lock_guard lock(mutex_);
    if (auto it = records_.find(key); it != records_.end()) {
        bytes_ -= memory_cost(it->first, it->second);
        records_.erase(it);
    }
    const auto cost = memory_cost(key, record);
    if (bytes_ + cost > byte_budget_) {
        records_.clear();
        bytes_ = 0;
    }
    if (cost > byte_budget_) return;
    records_.emplace(key, record);
    bytes_ += cost;
}

void manifest_service::moved_tags::add(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (keys_.size() >= 4096) keys_.clear();  // bounded: a tag forgotten here is only asked again
    keys_.insert(key);
}

bool manifest_service::moved_tags::take(const std::string& key) {
    std::lock_guard lock(mutex_);
    return keys_.erase(key) > 0;
}

std::size_t manifest_service::tag_memo::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

std::shared_ptr<const cached_manifest> manifest_service::fresh_from_memory(const route& r, const accept_list& accept) {
    auto record = tags_.find(tag_key(r));
    if (!record || !accept.accepts(record->media_type)) return nullptr;
    if (!cfg_.cache.offline && !is_fresh(*record, r.upstream->tag_ttl)) return nullptr;
    return memory_.find(record->digest);
}

awaitable<result<manifest_result>> manifest_service::get(const route& r, const accept_list& accept) {
    auto ref = storage::manifest_reference::parse(r.reference);
    if (!ref) co_return ref.error();
    // The hot path: answered from memory without touching the index, the pool or a flight.
    if (ref->is_digest()) {
        if (auto hot = memory_.find(ref->by_digest().str())) co_return manifest_result{hot, cache_status::hit};
    } else if (auto hot = fresh_from_memory(r, accept)) {
        co_return manifest_result{hot, cache_status::hit};
    }
    const auto key = ref->is_digest() ? r.upstream->name + "@" + ref->str() : tag_key(r) + "|" + accept.header_value();
    if (auto gone = not_found_.find(key, std::chrono::steady_clock::now())) co_return *gone;
    // Named, not a temporary in the co_await: see run_blocking.
    std::function<awaitable<result<manifest_result>>()> resolve = [this, &r, &accept, &ref]() {
        return ref->is_digest() ? get_by_digest(r, ref->by_digest(), accept) : get_by_tag(r, accept);
    };
    bool leader = false;
    auto resolved = co_await flights_.run(key, std::move(resolve), &leader);
    if (!resolved && leader) {
        const auto now = std::chrono::steady_clock::now();
        if (resolved.error() == errc::manifest_unknown) not_found_.remember(key, errc::manifest_unknown, now);
        if (resolved.error() == errc::name_unknown) not_found_.remember(key, errc::name_unknown, now);
    }
    if (resolved && !leader && resolved->status == cache_status::miss) {
        resolved->status = cache_status::coalesced;
        resolved->upstream_ns = 0;
        resolved->upstream_bytes = 0;
    }
    co_return resolved;
}

awaitable<std::optional<storage::tag_record>> manifest_service::load_tag(const route& r) {
    if (auto record = tags_.find(tag_key(r))) co_return record;
    const storage::repository_key key{r.upstream->name, r.repository};
    auto lookup = [this, key, tag = r.reference] { return index_.tag(key, tag); };
    auto record = co_await run_blocking(blocking_, std::move(lookup));
    if (record) tags_.store(tag_key(r), *record);
    co_return record;
}

http::fields manifest_service::upstream_headers(const accept_list& accept) const {
    http::fields headers;
    if (!accept.types().empty()) {
        headers.set(http::field::accept, accept.header_value());
    } else {
        headers.set(http::field::accept, std::string(storage::media_type::oci_index) + ", " +
                                             std::string(storage::media_type::oci_manifest) + ", " +
                                             std::string(storage::media_type::docker_manifest_list) + ", " +
                                             std::string(storage::media_type::docker_manifest));
    }
    return headers;
}

awaitable<std::shared_ptr<const cached_manifest>> manifest_service::load_cached(const std::string& digest) {
    if (auto hot = memory_.find(digest)) co_return hot;
    auto parsed = storage::digest::parse(digest);
    if (!parsed) co_return nullptr;
    // Named, not a temporary in the co_await: see run_blocking.
    auto lookup = [this, d = *parsed] { return index_.manifest(d); };
    auto record = co_await run_blocking(blocking_, std::move(lookup));
    if (!record) co_return nullptr;
    auto m = make_cached_manifest(digest, std::move(record->media_type), std::move(record->body));
    memory_.insert(m);
    co_return m;
}

awaitable<result<manifest_result>> manifest_service::get_by_digest(const route& r, const storage::digest& d,
                                                                   const accept_list& accept) {
    if (auto cached = co_await load_cached(d.str())) co_return manifest_result{cached, cache_status::hit};
    if (cfg_.cache.offline) co_return errc::offline;
    co_return co_await fetch_upstream(r, accept, &d);
}

awaitable<result<manifest_result>> manifest_service::get_by_tag(const route& r, const accept_list& accept) {
    auto record = co_await load_tag(r);
    if (record && accept.accepts(record->media_type)) {
        auto cached = co_await load_cached(record->digest);
        if (cached && (cfg_.cache.offline || is_fresh(*record, r.upstream->tag_ttl)))
            co_return manifest_result{cached, cache_status::hit};
        if (cached && !moved_.take(tag_key(r))) {
            auto answered = co_await revalidate(r, accept, cached);
            if (!answered) {  // the access log shows each; a down upstream is logged by its breaker
                spdlog::debug("serving stale tag upstream={} repo={} tag={} digest={} reason=\"no answer within "
                             "cache.stale_wait_ms; revalidating in the background\"", r.upstream->name, r.repository,
                             r.reference, record->digest);
                co_return manifest_result{cached, cache_status::stale};
            }
            auto& current = *answered;
            if (current && *current != record->digest) moved_.take(tag_key(r));  // followed right here
            if (current && *current == record->digest) co_return manifest_result{cached, cache_status::revalidated};
            // The tag moved, but pulling its new manifest would spend a pull the quota keeps
            // for content strata does not hold: follow it only if strata holds that manifest.
            const bool spare = current && upstreams_.client(*r.upstream).quota().sparing(std::chrono::steady_clock::now());
            if (spare) {
                auto moved_to = co_await load_cached(*current);
                if (moved_to && accept.accepts(moved_to->media_type)) {
                    co_await store_tag(r, *moved_to);
                    co_return manifest_result{moved_to, cache_status::revalidated};
                }
            }
            if (spare || (!current && serves_stale(to_errc(current.error())))) {
                // While the upstream is down its breaker said so once; each stale answer is detail.
                const auto level = !spare && current.error() == errc::upstream_down ? spdlog::level::debug
                                                                                     : spdlog::level::warn;
                spdlog::log(level, "serving stale tag upstream={} repo={} tag={} digest={} reason={}", r.upstream->name,
                             r.repository, r.reference, record->digest,
                             storage::log_value(spare ? std::string("quota") : current.error().message()));
                co_return manifest_result{cached, cache_status::stale};
            }
        }
    }
    if (cfg_.cache.offline) co_return errc::offline;
    auto fetched = co_await fetch_upstream(r, accept, nullptr);
    if (!fetched && serves_stale(to_errc(fetched.error())) && record && accept.accepts(record->media_type)) {
        if (auto cached = co_await load_cached(record->digest))
            co_return manifest_result{cached, cache_status::stale};
    }
    co_return fetched;
}

awaitable<std::optional<result<std::string>>> manifest_service::revalidate(const route& r, const accept_list& accept,
                                                                           std::shared_ptr<const cached_manifest> cached) {
    // Named, not a temporary in the co_await: see run_blocking.
    std::function<awaitable<result<std::string>>()> ask = [this, r, accept, cached] {
        return revalidation(r, accept, cached);
    };
    co_return co_await revalidations_.run_detached(tag_key(r) + "|" + accept.header_value(), std::move(ask),
                                                  cfg_.cache.stale_wait, max_background_revalidations);
}

awaitable<result<std::string>> manifest_service::revalidation(route r, accept_list accept,
                                                              std::shared_ptr<const cached_manifest> cached) {
    auto current = co_await head_upstream_digest(r, accept);
    if (current && *current == cached->digest) co_await store_tag(r, *cached);
    // Moved, and nobody waited to hear it: the next request fetches the tag instead of asking again.
    if (current && *current != cached->digest) moved_.add(tag_key(r));
    co_return current;
}

awaitable<result<std::string>> manifest_service::head_upstream_digest(const route& r, const accept_list& accept) {
    auto& client = upstreams_.client(*r.upstream);
    // One try: a cached mapping is there to fall back on, and the circuit breaker counts the failure.
    auto res = co_await client.fetch(http::verb::head, manifest_path(r), upstream_headers(accept), 0, r.repository,
                                     false);
    if (!res) co_return res.error();
    if (res->status != 200) co_return upstream_failure(res->status, "", object_kind::manifest);
    co_return std::string(res->headers["Docker-Content-Digest"]);
}

awaitable<bool> manifest_service::store_tag(const route& r, const cached_manifest& m) {
    storage::repository_key key{r.upstream->name, r.repository};
    storage::tag_record rec{m.digest, m.media_type, storage::now_ns()};
    tags_.store(tag_key(r), rec);
    auto write = [this, key, tag = r.reference, rec] {
        index_.put_tag(key, tag, rec);
        return true;
    };
    co_return co_await run_blocking(blocking_, std::move(write));
}

awaitable<result<manifest_result>> manifest_service::fetch_upstream(const route& r, const accept_list& accept,
                                                                    const storage::digest* expected) {
    auto& client = upstreams_.client(*r.upstream);
    const auto started = std::chrono::steady_clock::now();
    auto res = co_await client.fetch(http::verb::get, manifest_path(r), upstream_headers(accept),
                                     cfg_.cache.max_manifest_bytes, r.repository);
    const auto upstream_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count();
    if (!res) co_return res.error();
    if (res->status != 200) co_return upstream_failure(res->status, res->body, object_kind::manifest);

    // Kept under the digest the client addressed (sha256 for a tag): the algorithm decides the hash.
    const auto actual = storage::digest_of(res->body, expected ? expected->algorithm() : storage::digest_algorithm::sha256);
    if ((expected && actual != *expected) || announced_differs(res->headers["Docker-Content-Digest"], actual)) {
        spdlog::warn("manifest digest mismatch upstream={} repo={} ref={} actual={}", r.upstream->name,
                     r.repository, r.reference, actual.str());
        metrics_.digest_mismatch(r.upstream->name);
        co_return errc::digest_mismatch;
    }
    auto parsed = storage::parse_manifest(res->body, res->headers[http::field::content_type]);
    if (!parsed) co_return parsed.error();

    const auto received = res->body.size();
    auto m = make_cached_manifest(actual.str(), parsed->media_type, std::move(res->body));
    std::vector<storage::digest> children;
    for (const auto& c : parsed->children) children.push_back(c.digest_value);
    storage::repository_key key{r.upstream->name, r.repository};
    auto write = [this, m, key, children, actual] {
        index_.put_manifest(actual, m->media_type, m->body, key, children);
        return true;
    };
    co_await run_blocking(blocking_, std::move(write));
    if (!expected) co_await store_tag(r, *m);
    memory_.insert(m);
    co_return manifest_result{m, cache_status::miss, upstream_ns, received};
}

}  // namespace strata::proxy

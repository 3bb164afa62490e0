// repository_access: the link lookup, the public rule and the one-HEAD confirmation.
#include "proxy/registry/repository_access.hpp"

#include "proxy/blocking.hpp"
#include "storage/clock.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace strata::proxy {
namespace {

// The memo's key for (digest, r's repository), built in a per-thread buffer that keeps its
// capacity: valid until the thread's next call.
std::string_view memo_key(const route& r, std::string_view digest) {
    thread_local std::string key;
    key.assign(digest).append("|").append(r.upstream->name).append("/").append(r.repository);
    return key;
}

}  // namespace

repository_access::repository_access(const config& cfg, upstream_set& upstreams, storage::metadata_index& index,
                                     asio::thread_pool& blocking, std::size_t memo_budget)
    : cfg_(cfg), upstreams_(upstreams), index_(index), blocking_(blocking), memo_budget_(memo_budget) {}

bool repository_access::memo_has(std::string_view key) const {
    std::shared_lock lock(mutex_);  // every hot request asks: readers do not wait for each other
    return memo_.find(key) != memo_.end();
}

bool repository_access::known_to_hold(const route& r, std::string_view digest) const {
    return memo_has(memo_key(r, digest));
}

void repository_access::memo_add(std::string_view key) {
    const auto cost = key.size() + 64;
    std::unique_lock lock(mutex_);
    if (memo_bytes_ + cost > memo_budget_) {  // the index keeps every answer: starting over is safe
        memo_.clear();
        memo_bytes_ = 0;
    }
    if (memo_.emplace(key).second) memo_bytes_ += cost;
}

std::size_t repository_access::memo_bytes() const {
    std::shared_lock lock(mutex_);
    return memo_bytes_;
}

repository_access::known repository_access::look_up(const route& r, const storage::digest& d) const {
    const storage::repository_key key{r.upstream->name, r.repository};
    if (const auto link = index_.link(d, key)) {
        if (link->holds) return known::holds;
        // A "lacks" answer is asked again once it is as old as a tag mapping may be.
        const auto ttl = std::chrono::duration_cast<std::chrono::nanoseconds>(r.upstream->tag_ttl).count();
        if (storage::now_ns() - link->at_ns < ttl) return known::lacks;
    }
    // With pull users, the public rule would let a user read, under a repository they may pull,
    // content held only by one they may not: the upstream is asked instead.
    if (r.upstream->confirms_access() || !cfg_.pull_auth.users_file.empty()) return known::unknown;
    for (const auto& holder : index_.holders(d)) {
        const auto slash = holder.find('/');
        const auto* u = cfg_.find_upstream(holder.substr(0, slash));
        if (u && !u->confirms_access()) return known::holds;
    }
    return known::unknown;
}

awaitable<errc> repository_access::check(const route& r, const storage::digest& d, object_kind kind) {
    if (known_to_hold(r, d.str())) co_return errc::ok;
    auto lookup = [this, &r, &d] { return look_up(r, d); };
    const auto answer = co_await run_blocking(blocking_, std::move(lookup));
    const auto unknown_error = kind == object_kind::manifest ? errc::manifest_unknown : errc::blob_unknown;
    if (answer == known::lacks) co_return unknown_error;
    if (answer == known::unknown) {
        if (cfg_.cache.offline) co_return unknown_error;
        const auto asked = co_await ask_upstream(r, d, kind);
        if (asked != errc::ok) co_return asked;
    }
    memo_add(memo_key(r, d.str()));  // after the awaits: the key is built again on this thread
    co_return errc::ok;
}

awaitable<errc> repository_access::ask_upstream(const route& r, const storage::digest& d, object_kind kind) {
    auto& client = upstreams_.client(*r.upstream);
    const auto target = "/v2/" + r.repository + (kind == object_kind::manifest ? "/manifests/" : "/blobs/") + d.str();
    http::fields headers;
    if (kind == object_kind::manifest)
        headers.set(http::field::accept,
                    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
                    "application/vnd.docker.distribution.manifest.list.v2+json, "
                    "application/vnd.docker.distribution.manifest.v2+json");
    auto res = co_await client.fetch(http::verb::head, target, std::move(headers), 0, r.repository);
    if (!res) co_return to_errc(res.error());
    const bool holds = res->status == 200;
    if (!holds && res->status != 404 && res->status != 401 && res->status != 403)
        co_return upstream_failure(res->status, "", kind);
    auto record = [this, key = storage::repository_key{r.upstream->name, r.repository}, digest = d, holds] {
        index_.put_link(digest, key, storage::repository_link{holds, storage::now_ns()});
        return true;
    };
    co_await run_blocking(blocking_, std::move(record));
    if (!holds)
        spdlog::info("cached digest refused upstream={} repo={} digest={} reason=\"upstream says the repository "
                     "does not hold it\"", r.upstream->name, storage::log_value(r.repository), d.str());
    co_return holds ? errc::ok : (kind == object_kind::manifest ? errc::manifest_unknown : errc::blob_unknown);
}

}  // namespace strata::proxy

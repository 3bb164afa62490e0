// registry_api: what a manifest, blob or tag-list request is answered with.
#include "proxy/registry/registry_api.hpp"

#include "proxy/protocol/accept.hpp"
#include "proxy/protocol/byte_range.hpp"
#include "proxy/registry/range_passthrough.hpp"
#include "proxy/protocol/tag_pages.hpp"
#include "proxy/protocol/upstream_status.hpp"
#include "proxy/reply/replies.hpp"
#include "storage/oci/manifest.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace strata::proxy {
namespace {

accept_list merged_accept(const request& req) {
    accept_list accept;
    for (const auto& field : req)
        if (field.name() == http::field::accept) accept.add_header(field.value());
    return accept;
}

// What a blob response keeps alive until its last byte is sent: the open file (or the download
// writing it, and this request's subscription, without which a download whose other clients
// left counts as abandoned) and the lease that keeps the blob from eviction.
struct held_blob {
    std::string digest;
    std::variant<storage::open_blob, std::shared_ptr<blob_fetch>> source;
    storage::cache_evictor::lease lease;
    std::shared_ptr<progress_channel> subscription;
};

reply blob_file(const storage::digest& d, std::shared_ptr<held_blob> held, std::uint64_t size,
                std::string_view cache_status) {
    file_response file;
    file.digest = d.str();
    file.size = size;
    if (auto* open = std::get_if<storage::open_blob>(&held->source)) {
        file.fd = open->fd.get();
    } else {
        auto& fetch = std::get<std::shared_ptr<blob_fetch>>(held->source);
        file.fd = fetch->fd();
        file.live = fetch.get();
        file.started_download = cache_status == "miss";
    }
    served_object object{held->digest, {}, size, cache_status, 0, 0, held};
    file.keep = std::move(held);
    return {std::move(file), std::move(object)};
}

// The object of an answer that is not a blob or manifest: a digest and a cache status.
served_object digest_only(const storage::digest& d, std::string_view cache_status) {
    auto text = std::make_shared<const std::string>(d.str());
    return {*text, {}, 0, cache_status, 0, 0, text};
}

// The per-request header lines of a shared_response in this cache status (static text).
std::string_view cache_lines(cache_status status) {
    switch (status) {
    case cache_status::miss: return "X-Strata-Cache: miss\r\n";
    case cache_status::revalidated: return "X-Strata-Cache: revalidated\r\n";
    case cache_status::coalesced: return "X-Strata-Cache: coalesced\r\n";
    case cache_status::stale: return "X-Strata-Cache: stale\r\nWarning: 110 strata \"Response is Stale\"\r\n";
    case cache_status::hit: break;
    }
    return "X-Strata-Cache: hit\r\n";
}

// A hot manifest's response from its pre-built head; a whole one if it has none.
reply manifest_reply(std::shared_ptr<const cached_manifest> m, cache_status status) {
    const auto extra = cache_lines(status);
    if (!m->response_head.empty()) {
        const std::string_view head = m->response_head, body = m->body;
        return {shared_response{std::move(m), head, body, extra}, {}};
    }
    whole_response res{http::status::ok, 11};
    res.set(http::field::content_type, m->media_type);
    res.set("Docker-Content-Digest", m->digest);
    res.set(http::field::etag, "\"" + m->digest + "\"");
    res.set("X-Strata-Cache", to_string(status));
    if (status == cache_status::stale) res.set(http::field::warning, "110 strata \"Response is Stale\"");
    res.body() = m->body;
    res.prepare_payload();
    return {std::move(res), {}};
}

}  // namespace

awaitable<reply> registry_api::answer(const request& req, const route& r) const {
    if (r.kind == endpoint::manifest) {
        if (auto hot = hot_manifest(req, r)) return at_once(std::move(*hot));
        return manifest(req, r);
    }
    if (r.kind == endpoint::blob) return blob(req, r);
    if (r.kind == endpoint::referrers) return referrers_of(r);
    return tags(r);
}

awaitable<reply> registry_api::manifest(const request& req, const route& r) const {
    const auto accept = merged_accept(req);  // named: GCC 12 mishandles temporaries inside co_await
    auto found = co_await manifests.get(r, accept);
    if (!found) co_return failure(found.error(), r, r.client_name + ":" + r.reference);
    const auto& m = *found->manifest;
    // A digest served from cache must belong to this repository (a tag already does).
    if (m.digest == r.reference && found->status != cache_status::miss) {
        const auto allowed = co_await access.check(r, *storage::digest::parse(m.digest), object_kind::manifest);
        if (allowed != errc::ok) co_return failure(allowed, r, r.client_name + "@" + m.digest);
    }
    co_return served_manifest(req, std::move(*found));
}

// A manifest by digest that memory holds, under a repository known to hold it: answered at once,
// without awaiting the index or the upstream (the caller wraps it in at_once, whose frame Asio
// recycles). Anything else goes the long way (manifest()).
std::optional<reply> registry_api::hot_manifest(const request& req, const route& r) const {
    auto m = manifests.in_memory(r.reference);
    if (!m || !access.known_to_hold(r, m->digest)) return std::nullopt;
    return served_manifest(req, {std::move(m), cache_status::hit});
}

reply registry_api::served_manifest(const request& req, manifest_result found) const {
    const auto& m = *found.manifest;
    if (req.method() == http::verb::get) accesses.record(m.digest);  // keeps it from metadata GC
    const auto status = found.status;
    served_object object{m.digest, m.media_type, m.body.size(),
                         status == cache_status::revalidated ? std::string_view("hit") : to_string(status),
                         found.upstream_ns, found.upstream_bytes, found.manifest};
    auto answer = manifest_reply(std::move(found.manifest), status);
    answer.object = std::move(object);
    return answer;
}

// An upstream known to be down is named in the detail with its next try, also as Retry-After.
reply registry_api::failure(error_code ec, const route& r, std::string_view detail) const {
    if (ec != errc::upstream_down || !r.upstream) return error_reply(ec, detail);
    const auto down = upstreams.client(*r.upstream).why_down();
    auto answer = error_reply(ec, std::string(detail) + ": " + down.detail);
    std::get<whole_response>(answer.body).set(http::field::retry_after, std::to_string(down.retry_after_seconds));
    return answer;
}

void registry_api::record_hit(const storage::digest& d) const {
    accesses.record(d.str());
    evictor.accessed(d);
}

// A Range request for bytes not on disk yet: answered by ranged upstream GETs at once, while
// (cache.range_fetches_whole) the whole blob is fetched in the background as for any miss.
// nullopt when the file can answer: the blob is cached, or the download has written, or is
// within range_wait_window of writing, every byte the ranges ask for (a range just ahead of a
// running download costs less to wait for than a request of its own).
std::optional<reply> registry_api::ranged_blob(const route& r, const storage::digest& d, bool cached,
                                               std::vector<range_spec> specs) const {
    if (cached || fetcher.sent_wrong_bytes(d, r.upstream->name)) return std::nullopt;
    // "bytes=0-" asks for the whole blob: only the verified path may send that.
    if (std::any_of(specs.begin(), specs.end(), [](const range_spec& s) { return s.first == 0u && !s.last; }))
        return std::nullopt;
    std::optional<std::uint64_t> size;
    if (cache.range_fetches_whole) {
        auto acquired = fetcher.acquire(r, d);
        if (!acquired || std::holds_alternative<storage::open_blob>(*acquired)) return std::nullopt;
        const auto s = std::get<std::shared_ptr<blob_fetch>>(*acquired)->state();
        size = s.size;
        if (s.size) {
            auto ranges = resolve_specs(specs, *s.size);
            if (!ranges) return std::nullopt;  // the file path answers 416 with the size
            const auto whole = [&s](const byte_range& b) { return b.first == 0 && b.last + 1 == *s.size; };
            if (std::any_of(ranges->begin(), ranges->end(), whole)) return std::nullopt;
            const bool soon_on_disk = std::all_of(ranges->begin(), ranges->end(), [&s](const byte_range& b) {
                return b.last < s.written + range_wait_window;
            });
            if (soon_on_disk) return std::nullopt;
        }
    }
    auto pass = std::make_shared<range_passthrough>(range_passthrough{
        upstreams.client(*r.upstream), r.repository, d, std::move(specs), size, idle_timeout});
    auto write = [pass](client_stream& stream, const request& req, storage::pull_event& ev) {
        return pass->write(stream, req, ev);
    };
    return reply{streamed_response{std::move(write)}, digest_only(d, "miss")};
}

// HEAD of an uncached blob asks upstream instead of downloading the blob.
awaitable<reply> registry_api::uncached_blob_head(const route& r, const storage::digest& d) const {
    auto object = digest_only(d, "miss");
    auto refused = [this, &r, &object](error_code ec, std::string_view detail) {
        auto answer = failure(ec, r, detail);
        answer.object = object;
        return answer;
    };
    if (cache.offline) co_return refused(errc::offline, d.str());
    auto& client = upstreams.client(*r.upstream);
    const auto path = "/v2/" + r.repository + "/blobs/" + d.str();
    const http::fields no_fields;  // named: GCC 12 mishandles temporaries inside co_await
    auto res = co_await client.fetch(http::verb::head, path, no_fields, 0, r.repository);
    if (!res) co_return refused(res.error(), d.str());
    if (res->status != 200) co_return refused(upstream_failure(res->status, "", object_kind::blob), d.str());
    whole_response out{http::status::ok, 11};
    out.set(http::field::content_type, "application/octet-stream");
    out.set("Docker-Content-Digest", d.str());
    out.set(http::field::accept_ranges, "bytes");
    out.set("X-Strata-Cache", "miss");
    // The upstream's length, but only as a number strata parsed: never its raw bytes.
    if (auto len = parse_content_length(res->headers[http::field::content_length])) out.content_length(*len);
    co_return reply{std::move(out), std::move(object)};
}

awaitable<reply> registry_api::blob(const request& req, const route& r) const {
    auto d = storage::digest::parse(r.reference);
    if (!d) co_return error_reply(d.error(), r.reference);
    auto refused = [this, &r, &d](error_code ec) {
        auto answer = failure(ec, r, d->str());
        answer.object = digest_only(*d, "hit");
        return answer;
    };
    // Cached, or being downloaded for another repository: this repository must be known to hold
    // it before it is served.
    const auto running_for = fetcher.joinable(*d, r.upstream->name);
    const bool cached = !running_for && blobs.open(*d);  // opened once here, not again for a Range
    if (running_for ? *running_for != r.repository : cached) {
        const auto allowed = co_await access.check(r, *d, object_kind::blob);
        if (allowed != errc::ok) co_return refused(allowed);
    }
    const bool get = req.method() == http::verb::get;
    if (!get || cache.offline) {
        if (auto open = blobs.open(*d)) {
            if (get) record_hit(*d);
            const auto size = open->size;
            auto held = std::make_shared<held_blob>(held_blob{d->str(), std::move(*open), evictor.hold(*d), nullptr});
            co_return blob_file(*d, std::move(held), size, "hit");
        }
        if (!get) co_return co_await uncached_blob_head(r, *d);
        co_return refused(errc::offline);
    }
    if (auto specs = parse_range_header(req[http::field::range])) {
        auto ranged = ranged_blob(r, *d, cached, std::move(*specs));
        if (ranged) co_return std::move(*ranged);
    }
    bool started = false;
    auto acquired = fetcher.acquire(r, *d, &started);
    if (!acquired) co_return refused(acquired.error());
    auto lease = evictor.hold(*d);  // not evicted while this request streams it
    if (auto* open = std::get_if<storage::open_blob>(&*acquired)) {
        record_hit(*d);
        const auto size = open->size;
        auto held = std::make_shared<held_blob>(held_blob{d->str(), std::move(*open), std::move(lease), nullptr});
        co_return blob_file(*d, std::move(held), size, "hit");
    }
    auto fetch = std::get<std::shared_ptr<blob_fetch>>(std::move(*acquired));
    const std::string_view status = started ? "miss" : "coalesced";
    auto progress = fetch->subscribe(co_await asio::this_coro::executor);
    auto s = fetch->state();
    // Headers wait for the upstream's length; without one, for the whole verified blob.
    while (s.state == blob_fetch::phase::connecting || (s.state == blob_fetch::phase::streaming && !s.size)) {
        co_await progress->async_receive(with_ec);
        s = fetch->state();
    }
    if (s.state == blob_fetch::phase::failed) {
        auto answer = failure(s.error, r, d->str());
        answer.object = digest_only(*d, status);
        co_return answer;
    }
    auto held = std::make_shared<held_blob>(held_blob{d->str(), std::move(fetch), std::move(lease), std::move(progress)});
    co_return blob_file(*d, std::move(held), *s.size, status);
}

// The referrers index: the cached one as it is (its header lines built once), or filtered by
// ?artifactType=, which the answer then says in OCI-Filters-Applied.
awaitable<reply> registry_api::referrers_of(const route& r) const {
    auto found = co_await referrers.get(r);
    if (!found) co_return failure(found.error(), r, r.client_name + "@" + r.reference);
    const auto status = found->status;
    const std::string_view shown = status == cache_status::revalidated ? std::string_view("hit") : to_string(status);
    auto entry = std::move(found->entry);
    if (r.artifact_type.empty()) {
        served_object object{entry->subject, storage::media_type::oci_index, entry->index.size(), shown, 0, 0, entry};
        const std::string_view head = entry->response_head, body = entry->index;
        co_return reply{shared_response{entry, head, body, cache_lines(status)}, std::move(object)};
    }
    auto answer = text_reply(http::status::ok, storage::media_type::oci_index,
                             storage::referrers_index(entry->refs, r.artifact_type));
    auto& res = std::get<whole_response>(answer.body);
    res.set("OCI-Filters-Applied", "artifactType");
    res.set("X-Strata-Cache", to_string(status));
    if (status == cache_status::stale) res.set(http::field::warning, "110 strata \"Response is Stale\"");
    answer.object = served_object{entry->subject, storage::media_type::oci_index, res.body().size(), shown, 0, 0, entry};
    co_return answer;
}

awaitable<reply> registry_api::tags(const route& r) const {
    auto listed = co_await tag_lists.sorted_tags(r);
    if (!listed) co_return failure(listed.error(), r, r.client_name);
    const auto page = paginate_tags(**listed, r.page_size, r.last);
    auto answer = text_reply(http::status::ok, "application/json",
                             json_text(nlohmann::json{{"name", r.client_name}, {"tags", page.tags}}));
    auto& res = std::get<whole_response>(answer.body);
    if (page.more && !page.tags.empty()) res.set(http::field::link, next_page_link(r, *r.page_size, page.tags.back()));
    answer.object.size = res.body().size();
    answer.object.cache_status = "hit";
    co_return answer;
}

}  // namespace strata::proxy

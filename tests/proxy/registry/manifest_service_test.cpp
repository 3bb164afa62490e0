// Tests of the manifest service over an in-process upstream: misses, hits from memory and from
// the index, tag revalidation, serving stale, digest checks and coalesced misses.
#include "proxy/registry/manifest_service.hpp"
#include "storage/oci/digest.hpp"
#include "tests/proxy/registry/fake_upstream.hpp"

#include "tests/catch_result.hpp"

#include <future>
#include <thread>

using namespace strata;
using namespace strata::proxy;
using strata::test::config_for;
using strata::test::fake_upstream;

namespace {

constexpr const char* oci_manifest = "application/vnd.oci.image.manifest.v1+json";

std::string manifest_body(const std::string& layer_text) {
    const auto layer = storage::sha256_of(layer_text).str();
    const auto config = storage::sha256_of("{}").str();
    return std::string(R"({"schemaVersion":2,"mediaType":")") + oci_manifest +
           R"(","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" + config +
           R"(","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" + layer +
           R"(","size":)" + std::to_string(layer_text.size()) + "}]}";
}

// An upstream holding team/app:v1, whose manifest the test may change or take down. With
// `lie`, it answers the manifest's digest with other bytes.
struct manifest_upstream {
    std::string body = manifest_body("layer one");
    std::atomic<bool> down{false};
    std::atomic<bool> lie{false};
    std::mutex mutex;

    fake_upstream::response answer(const fake_upstream::request& req) {
        std::lock_guard lock(mutex);
        fake_upstream::response res{http::status::not_found, 11};
        if (down) return res.result(http::status::service_unavailable), res;
        const auto d = storage::sha256_of(body).str();
        if (req.target() != "/v2/team/app/manifests/v1" && req.target() != "/v2/team/app/manifests/" + d) return res;
        res.result(http::status::ok);
        res.set(http::field::content_type, oci_manifest);
        res.set("Docker-Content-Digest", d);
        if (req.method() == http::verb::get) res.body() = lie ? manifest_body("something else") : body;
        return res;
    }
};

// A manifest_service's surroundings, with a real index in a temporary directory. Its I/O thread
// starts on the first get() or start_io(), so coroutines spawned before then all run up to
// their first wait before any I/O completes.
struct manifest_rig : strata::test::upstream_rig {
    explicit manifest_rig(const std::string& upstream_url, std::chrono::seconds tag_ttl = std::chrono::seconds(300))
        : upstream_rig(with_ttl(config_for({{"up.test", upstream_url}}), tag_ttl)) {
        accept.add_header(oci_manifest);
    }
    ~manifest_rig() { stop_io(); }

    static config with_ttl(config c, std::chrono::seconds ttl) {
        c.upstreams.front().tag_ttl = ttl;
        return c;
    }

    route route_to(const std::string& reference) const {
        route r;
        r.kind = endpoint::manifest;
        r.upstream = &cfg.upstreams.front();
        r.repository = r.client_name = "team/app";
        r.reference = reference;
        return r;
    }

    std::future<result<manifest_result>> spawn(manifest_service& s, const route& r) {
        return asio::co_spawn(io, s.get(r, accept), asio::use_future);
    }
    result<manifest_result> get(manifest_service& s, const route& r) {
        auto f = spawn(s, r);
        start_io();
        return f.get();
    }

    accept_list accept;
    storage::metadata_index index{dir.path / "index"};
};

}  // namespace

TEST_CASE("a tag is fetched once, then served from memory, and from the index after a restart") {
    manifest_upstream state;
    fake_upstream up([&](const auto& req) { return state.answer(req); });
    manifest_rig rig(up.url());
    const auto tag = rig.route_to("v1");
    const auto d = storage::sha256_of(state.body);
    {
        manifest_service service(rig.cfg, rig.upstreams, rig.index, rig.blocking, rig.stats);
        auto first = rig.get(service, tag);
        REQUIRE(first);
        CHECK(first->status == cache_status::miss);
        CHECK(first->manifest->digest == d.str());
        CHECK(first->manifest->body == state.body);
        CHECK(first->upstream_bytes == state.body.size());
        auto second = rig.get(service, tag);
        REQUIRE(second);
        CHECK(second->status == cache_status::hit);
        CHECK(up.requests() == 1);
    }
    REQUIRE(rig.index.manifest(d));
    CHECK(rig.index.tag({"up.test", "team/app"}, "v1")->digest == d.str());
    manifest_service restarted(rig.cfg, rig.upstreams, rig.index, rig.blocking, rig.stats);
    auto by_tag = rig.get(restarted, tag);
    REQUIRE(by_tag);
    CHECK(by_tag->status == cache_status::hit);
    const auto by_digest_route = rig.route_to(d.str());
    auto by_digest = rig.get(restarted, by_digest_route);
    REQUIRE(by_digest);
    CHECK(by_digest->status == cache_status::hit);
    CHECK(up.requests() == 1);
}

TEST_CASE("an expired tag is revalidated with a HEAD, follows a moved tag, and is served stale when upstream is down") {
    manifest_upstream state;
    fake_upstream up([&](const auto& req) { return state.answer(req); });
    manifest_rig rig(up.url(), std::chrono::seconds(0));  // every tag mapping has expired
    manifest_service service(rig.cfg, rig.upstreams, rig.index, rig.blocking, rig.stats);
    const auto tag = rig.route_to("v1");

    REQUIRE(rig.get(service, tag)->status == cache_status::miss);
    auto again = rig.get(service, tag);
    REQUIRE(again);
    CHECK(again->status == cache_status::revalidated);
    CHECK(up.requests("/v2/team/app/manifests/v1") == 2);  // the GET, then one HEAD

    {
        std::lock_guard lock(state.mutex);
        state.body = manifest_body("layer two");  // the tag moved
    }
    auto moved = rig.get(service, tag);
    REQUIRE(moved);
    CHECK(moved->status == cache_status::miss);
    CHECK(moved->manifest->digest == storage::sha256_of(state.body).str());

    state.down = true;
    auto stale = rig.get(service, tag);
    REQUIRE(stale);
    CHECK(stale->status == cache_status::stale);
    CHECK(stale->manifest->digest == storage::sha256_of(state.body).str());
}

TEST_CASE("a manifest whose bytes do not hash to the digest asked for is refused and not kept") {
    manifest_upstream state;
    state.lie = true;
    fake_upstream up([&](const auto& req) { return state.answer(req); });
    manifest_rig rig(up.url());
    manifest_service service(rig.cfg, rig.upstreams, rig.index, rig.blocking, rig.stats);
    const auto d = storage::sha256_of(state.body);
    const auto by_digest = rig.route_to(d.str());

    auto got = rig.get(service, by_digest);
    REQUIRE_FALSE(got);
    CHECK(got.error() == errc::digest_mismatch);
    CHECK_FALSE(rig.index.manifest(d));
    CHECK_FALSE(rig.index.manifest(storage::sha256_of(manifest_body("something else"))));
    state.lie = false;
    CHECK(rig.get(service, by_digest)->status == cache_status::miss);
    CHECK(rig.index.manifest(d));
}

TEST_CASE("concurrent misses for one tag share one upstream GET") {
    manifest_upstream state;
    fake_upstream up([&](const auto& req) { return state.answer(req); });
    manifest_rig rig(up.url());
    manifest_service service(rig.cfg, rig.upstreams, rig.index, rig.blocking, rig.stats);
    const auto tag = rig.route_to("v1");

    up.hold();
    std::vector<std::future<result<manifest_result>>> gets;
    for (int i = 0; i < 6; ++i) gets.push_back(rig.spawn(service, tag));
    rig.start_io();  // all six reach the shared flight before the leader's request can finish
    REQUIRE(up.wait_for_requests(1));
    up.release();
    std::size_t misses = 0, coalesced = 0;
    for (auto& g : gets) {
        auto r = g.get();
        REQUIRE(r);
        CHECK(r->manifest->digest == storage::sha256_of(state.body).str());
        misses += r->status == cache_status::miss;
        coalesced += r->status == cache_status::coalesced;
    }
    CHECK(misses == 1);
    CHECK(coalesced == 5);
    CHECK(up.requests() == 1);
}

TEST_CASE("an upstream 404 for a tag or a digest is remembered for not_found_ttl; 0 asks every time") {
    manifest_upstream state;
    fake_upstream up([&](const auto& req) { return state.answer(req); });
    manifest_rig rig(up.url());
    rig.cfg.cache.not_found_ttl = std::chrono::hours(1);  // outlasts any slow machine
    const auto missing_tag = rig.route_to("v9");
    const auto missing_digest = rig.route_to(storage::sha256_of("not there").str());
    {
        manifest_service service(rig.cfg, rig.upstreams, rig.index, rig.blocking, rig.stats);
        for (int i = 0; i < 3; ++i) {
            auto tag = rig.get(service, missing_tag);
            REQUIRE_FALSE(tag);
            CHECK(tag.error() == errc::manifest_unknown);
            auto digest = rig.get(service, missing_digest);
            REQUIRE_FALSE(digest);
            CHECK(digest.error() == errc::manifest_unknown);
        }
        CHECK(up.requests() == 2);
        CHECK(service.not_found().bytes() > 0);
        // Other failures are not remembered: an unreachable upstream is asked again.
        state.down = true;
        const auto v1 = rig.route_to("v1");
        CHECK_FALSE(rig.get(service, v1));
        CHECK_FALSE(rig.get(service, v1));
        CHECK(up.requests() > 3);
    }
    rig.cfg.cache.not_found_ttl = std::chrono::milliseconds(0);
    state.down = false;
    manifest_service forgetful(rig.cfg, rig.upstreams, rig.index, rig.blocking, rig.stats);
    const auto before = up.requests();
    CHECK_FALSE(rig.get(forgetful, missing_tag));
    CHECK_FALSE(rig.get(forgetful, missing_tag));
    CHECK(up.requests() == before + 2);
}

// Tests of blob download coalescing over an in-process upstream: one download per digest and
// upstream however many requests ask, nothing kept that fails its digest or its bounds, and no
// upstream waiting on another's download.
#include "proxy/registry/blob_fetcher.hpp"
#include "storage/oci/digest.hpp"
#include "tests/proxy/registry/fake_upstream.hpp"

#include "tests/catch_result.hpp"

#include <thread>

using namespace strata;
using namespace strata::proxy;
using strata::test::config_for;
using strata::test::fake_upstream;
using strata::test::wait_until;

namespace {

// A blob_fetcher over a real store and index in a temporary directory, its downloads on an
// I/O thread of its own.
struct fetcher_rig : strata::test::upstream_rig {
    fetcher_rig(const std::vector<std::pair<std::string, std::string>>& upstream_urls, fetch_limits limits = {})
        : upstream_rig(config_for(upstream_urls)), fetcher(io, blocking, upstreams, store, index, evictor, limits, stats) {
        start_io();
    }
    ~fetcher_rig() {
        // Never throws nor hangs: a test that failed while an upstream held its answer still ends.
        if (!strata::test::came_true([this] { return fetcher.in_flight() == 0; })) io.stop();
        stop_io();
    }

    route route_to(const std::string& upstream, const std::string& repository, const storage::digest& d) const {
        route r;
        r.kind = endpoint::blob;
        r.upstream = cfg.find_upstream(upstream);
        r.repository = r.client_name = repository;
        r.reference = d.str();
        return r;
    }

    std::shared_ptr<blob_fetch> start(const route& r, const storage::digest& d, bool* started = nullptr) {
        auto got = fetcher.acquire(r, d, started);
        REQUIRE(got);
        REQUIRE(std::holds_alternative<std::shared_ptr<blob_fetch>>(*got));
        return std::get<std::shared_ptr<blob_fetch>>(*got);
    }

    static blob_fetch::snapshot finished(const blob_fetch& f) {
        wait_until([&] {
            const auto s = f.state().state;
            return s == blob_fetch::phase::committed || s == blob_fetch::phase::failed;
        });
        return f.state();
    }

    storage::blob_store store{dir.path};
    storage::metadata_index index{dir.path / "index"};
    storage::cache_evictor evictor{storage::eviction_kind::lru, {}, [](const storage::digest&) { return true; }};
    blob_fetcher fetcher;
};

fake_upstream::handler serving(std::string repository, storage::digest d, std::string body) {
    return [=](const fake_upstream::request& req) {
        fake_upstream::response res{http::status::not_found, 11};
        if (req.target() == "/v2/" + repository + "/blobs/" + d.str()) {
            res.result(http::status::ok);
            res.body() = body;
        }
        return res;
    };
}

std::string layer_bytes(std::size_t n, char seed) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 131 + (i >> 9));
    return s;
}

}  // namespace

TEST_CASE("requests for one digest through one upstream share one download, and the blob is kept") {
    const auto body = layer_bytes(3 << 20, 'a');  // several chunks and progress notifications
    const auto d = storage::sha256_of(body);
    fake_upstream up(serving("team/app", d, body));
    fetcher_rig rig({{"up.test", up.url()}});
    const auto r = rig.route_to("up.test", "team/app", d);

    up.hold();
    bool started = false;
    const auto first = rig.start(r, d, &started);
    CHECK(started);
    for (int i = 0; i < 7; ++i) {
        CHECK(rig.start(r, d, &started) == first);
        CHECK_FALSE(started);
    }
    CHECK(rig.fetcher.in_flight() == 1);
    CHECK(rig.fetcher.joinable(d, "up.test") == "team/app");
    REQUIRE(up.wait_for_requests(1));
    up.release();

    const auto done = fetcher_rig::finished(*first);
    CHECK(done.error == errc::ok);
    CHECK(done.written == body.size());
    wait_until([&] { return rig.fetcher.in_flight() == 0; });
    CHECK(up.requests("/v2/team/app/blobs/" + d.str()) == 1);
    CHECK(rig.store.contains(d));
    REQUIRE(rig.index.blob(d));
    CHECK(rig.index.blob(d)->size == body.size());
    CHECK(rig.evictor.bytes() == body.size());
    const auto again = rig.fetcher.acquire(r, d);
    REQUIRE(again);
    CHECK(std::holds_alternative<storage::open_blob>(*again));
    CHECK(up.requests() == 1);
}

TEST_CASE("a body that does not hash to its digest is never kept, and the next request fetches again") {
    const auto d = storage::sha256_of(layer_bytes(4096, 'b'));
    fake_upstream up(serving("team/app", d, layer_bytes(4096, 'x')));
    fetcher_rig rig({{"up.test", up.url()}});
    const auto r = rig.route_to("up.test", "team/app", d);

    CHECK(fetcher_rig::finished(*rig.start(r, d)).error == errc::digest_mismatch);
    wait_until([&] { return rig.fetcher.in_flight() == 0; });
    CHECK_FALSE(rig.store.contains(d));
    CHECK_FALSE(rig.index.blob(d));
    CHECK(rig.evictor.bytes() == 0);
    bool started = false;
    CHECK(fetcher_rig::finished(*rig.start(r, d, &started)).error == errc::digest_mismatch);
    CHECK(started);
    CHECK(up.requests() == 2);
}

TEST_CASE("the same digest through two upstreams is two downloads, and neither waits on the other") {
    const auto body = layer_bytes(64 << 10, 'c');
    const auto d = storage::sha256_of(body);
    fake_upstream slow(serving("team/app", d, body));
    fake_upstream quick(serving("mirror/app", d, body));
    fetcher_rig rig({{"slow.test", slow.url()}, {"quick.test", quick.url()}});

    slow.hold();
    const auto held = rig.start(rig.route_to("slow.test", "team/app", d), d);
    REQUIRE(slow.wait_for_requests(1));
    bool started = false;
    const auto other = rig.start(rig.route_to("quick.test", "mirror/app", d), d, &started);
    CHECK(started);
    CHECK(other != held);
    CHECK(fetcher_rig::finished(*other).error == errc::ok);  // while the slow upstream still holds
    CHECK(held->state().state != blob_fetch::phase::committed);
    CHECK(rig.fetcher.joinable(d, "slow.test") == "team/app");
    CHECK_FALSE(rig.fetcher.joinable(d, "quick.test"));
    slow.release();
    CHECK(fetcher_rig::finished(*held).error == errc::ok);
    CHECK(rig.store.contains(d));
    CHECK(slow.requests() == 1);
    CHECK(quick.requests() == 1);
}

TEST_CASE("an upstream refusal or a length past the bounds fails the download before anything is written") {
    const auto body = layer_bytes(4096, 'd');
    const auto d = storage::sha256_of(body);
    fake_upstream up(serving("team/app", d, body));
    fetch_limits small;
    small.max_blob_bytes = 1024;
    fetcher_rig rig({{"up.test", up.url()}}, small);

    auto refused = rig.start(rig.route_to("up.test", "team/app", d), d);
    CHECK(fetcher_rig::finished(*refused).error == errc::blob_too_large);
    CHECK(refused->state().written == 0);
    auto missing = rig.start(rig.route_to("up.test", "other/app", d), d);
    CHECK(fetcher_rig::finished(*missing).error == errc::blob_unknown);
    wait_until([&] { return rig.fetcher.in_flight() == 0; });
    CHECK_FALSE(rig.store.contains(d));
    CHECK(up.requests() == 2);
}

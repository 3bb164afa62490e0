// Tests of the router and the registry and admin endpoints it picks, by the replies they return:
// no client socket, only a real store in a temporary directory and an in-process upstream.
#include "proxy/server/proxy_services.hpp"
#include "proxy/server/router.hpp"
#include "storage/oci/digest.hpp"
#include "tests/proxy/registry/fake_upstream.hpp"

#include <future>

using namespace strata;
using namespace strata::proxy;
using strata::test::config_for;
using strata::test::fake_upstream;

namespace {

constexpr const char* oci_manifest_type = "application/vnd.oci.image.manifest.v1+json";
const std::string layer_text = "layer bytes";

std::string image_manifest() {
    return std::string(R"({"schemaVersion":2,"mediaType":")") + oci_manifest_type +
           R"(","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
           storage::sha256_of("{}").str() + R"(","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar",)" +
           R"("digest":")" + storage::sha256_of(layer_text).str() + R"(","size":)" + std::to_string(layer_text.size()) + "}]}";
}

// team/app:v1 with one layer.
fake_upstream::response registry_answer(const fake_upstream::request& req) {
    const auto manifest = image_manifest();
    const auto layer = storage::sha256_of(layer_text).str();
    fake_upstream::response res{http::status::not_found, 11};
    const std::string target(req.target());
    if (target == "/v2/team/app/manifests/v1" || target == "/v2/team/app/manifests/" + storage::sha256_of(manifest).str()) {
        res.result(http::status::ok);
        res.set(http::field::content_type, oci_manifest_type);
        res.set("Docker-Content-Digest", storage::sha256_of(manifest).str());
        if (req.method() == http::verb::get) res.body() = manifest;
    } else if (target == "/v2/team/app/blobs/" + layer) {
        res.result(http::status::ok);
        res.set(http::field::content_type, "application/octet-stream");
        res.body() = layer_text;
    }
    return res;
}

// Every service over a temporary data directory, and the context the router gets.
struct router_rig {
    explicit router_rig(const std::string& upstream_url, std::string admin_token = "", std::string access = "")
        : cfg(with_data_dir(config_for({{"up.test", upstream_url}}), dir.path, std::move(admin_token), std::move(access))),
          services(cfg, io),
          ctx(context_of(services)),
          io_thread([this] { io.run(); }) {}
    ~router_rig() {
        work.reset();
        io_thread.join();
        services.blocking.join();
    }

    static config with_data_dir(config c, const std::filesystem::path& dir, std::string token, std::string access) {
        c.cache.data_dir = dir;
        c.upstreams.front().access = std::move(access);
        c.admin.token = std::move(token);
        return c;
    }

    struct answered {
        reply answer;
        storage::pull_event ev;
    };
    answered ask(http::verb method, const std::string& target, request_context rc = {listener_role::main, true, true, "127.0.0.1"}) {
        request req{method, target, 11};
        req.set(http::field::accept, oci_manifest_type);
        storage::pull_event ev;
        route r;
        auto answer = asio::co_spawn(io, route_request(ctx, req, r, ev, rc), asio::use_future).get();
        return {std::move(answer), std::move(ev)};
    }

    strata::test::temp_dir dir;
    config cfg;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    proxy_services services;
    proxy_context ctx;
    std::thread io_thread;
};

const whole_response& whole(const reply& r) {
    REQUIRE(std::holds_alternative<whole_response>(r.body));
    return std::get<whole_response>(r.body);
}

}  // namespace

TEST_CASE("the router answers unknown paths 404, other methods 405 with Allow, and push 405 with an empty Allow") {
    fake_upstream up(registry_answer);
    router_rig rig(up.url());
    CHECK(whole(rig.ask(http::verb::get, "/v2/").answer).body() == "{}");
    CHECK(whole(rig.ask(http::verb::get, "/v3/nothing").answer).result() == http::status::not_found);
    const auto post = rig.ask(http::verb::post, "/v2/up.test/team/app/manifests/v1");
    CHECK(whole(post.answer).result() == http::status::method_not_allowed);
    CHECK(whole(post.answer)[http::field::allow] == "GET, HEAD");
    CHECK(post.ev.kind.empty());  // refused before it was a pull
    const auto push = rig.ask(http::verb::post, "/v2/up.test/team/app/blobs/uploads/");
    CHECK(whole(push.answer).result() == http::status::method_not_allowed);
    CHECK(whole(push.answer).count(http::field::allow) == 1);
    CHECK(whole(push.answer)[http::field::allow].empty());
    CHECK(whole(rig.ask(http::verb::get, "/v2/elsewhere.test/team/app/manifests/v1").answer).result() ==
          http::status::forbidden);
    CHECK(up.requests() == 0);
}

TEST_CASE("a metrics listener serves health and metrics only; the admin API only where it is enabled") {
    fake_upstream up(registry_answer);
    router_rig rig(up.url(), "s3cret");
    const request_context metrics_only{listener_role::metrics_only, true, false, "127.0.0.1"};
    CHECK(whole(rig.ask(http::verb::get, "/healthz", metrics_only).answer).body() == "ok\n");
    CHECK(whole(rig.ask(http::verb::get, "/metrics", metrics_only).answer).body().find("strata_") != std::string::npos);
    CHECK(whole(rig.ask(http::verb::get, "/v2/", metrics_only).answer).result() == http::status::not_found);
    CHECK(whole(rig.ask(http::verb::get, "/readyz").answer).result() == http::status::ok);

    const request_context admin_off{listener_role::main, false, false, "10.0.0.7"};
    CHECK(whole(rig.ask(http::verb::get, "/api/v1/stats", admin_off).answer).result() == http::status::not_found);
    const auto no_token = rig.ask(http::verb::get, "/api/v1/stats");
    CHECK(whole(no_token.answer).result() == http::status::unauthorized);
    CHECK(whole(no_token.answer)[http::field::www_authenticate] == "Bearer realm=\"strata-admin\"");
}

TEST_CASE("a manifest is answered whole from upstream, then from its pre-built head, and the pull event says so") {
    fake_upstream up(registry_answer);
    router_rig rig(up.url());
    const auto manifest = image_manifest();
    const auto digest = storage::sha256_of(manifest).str();
    const auto first = rig.ask(http::verb::get, "/v2/up.test/team/app/manifests/v1");
    CHECK(first.ev.kind == "manifest");
    CHECK(first.ev.upstream == "up.test");
    CHECK(first.ev.repository == "team/app");
    CHECK(first.ev.reference == "v1");
    CHECK(first.answer.object.cache_status == "miss");
    CHECK(first.answer.object.digest == digest);
    CHECK(first.answer.object.size == manifest.size());
    CHECK(first.answer.object.upstream_bytes == manifest.size());

    const auto again = rig.ask(http::verb::get, "/v2/up.test/team/app/manifests/" + digest);
    REQUIRE(std::holds_alternative<shared_response>(again.answer.body));
    const auto& shared = std::get<shared_response>(again.answer.body);
    CHECK(shared.body == manifest);
    CHECK(shared.head.find("Docker-Content-Digest: " + digest + "\r\n") != std::string_view::npos);
    CHECK(shared.head.find("Content-Type: " + std::string(oci_manifest_type) + "\r\n") != std::string_view::npos);
    CHECK(shared.head.find("Content-Length: " + std::to_string(manifest.size()) + "\r\n") != std::string_view::npos);
    CHECK(shared.extra_fields == "X-Strata-Cache: hit\r\n");
    CHECK(again.answer.object.cache_status == "hit");
    CHECK(up.requests() == 1);
}

TEST_CASE("a blob is streamed from its download, then from the store; HEAD of an uncached blob asks upstream") {
    fake_upstream up(registry_answer);
    router_rig rig(up.url());
    const auto layer = storage::sha256_of(layer_text).str();
    const auto blob_target = "/v2/up.test/team/app/blobs/" + layer;

    const auto head = rig.ask(http::verb::head, blob_target);
    CHECK(whole(head.answer).result() == http::status::ok);
    CHECK(whole(head.answer)[http::field::content_length] == std::to_string(layer_text.size()));
    CHECK(head.answer.object.cache_status == "miss");
    CHECK(!rig.services.blobs.open(*storage::digest::parse(layer)));  // asked, not downloaded

    const auto miss = rig.ask(http::verb::get, blob_target);
    REQUIRE(std::holds_alternative<file_response>(miss.answer.body));
    const auto& download = std::get<file_response>(miss.answer.body);
    CHECK(download.size == layer_text.size());
    CHECK(download.live != nullptr);
    CHECK(download.started_download);
    CHECK(!download.live->abandoned());  // the reply's subscription keeps it wanted until sent
    CHECK(miss.answer.object.cache_status == "miss");
    strata::test::wait_until([&] { return rig.services.fetcher.in_flight() == 0; });

    const auto hit = rig.ask(http::verb::get, blob_target);
    REQUIRE(std::holds_alternative<file_response>(hit.answer.body));
    CHECK(std::get<file_response>(hit.answer.body).live == nullptr);
    CHECK(hit.answer.object.cache_status == "hit");
    CHECK(hit.ev.kind == "blob");
}

TEST_CASE("a hot manifest by digest is answered from memory only under a repository known to hold it") {
    fake_upstream up(registry_answer);
    router_rig rig(up.url(), "", "confirm");  // an unseen repository is asked about, not served
    const auto digest = storage::sha256_of(image_manifest()).str();
    const auto target = "/v2/up.test/team/app/manifests/" + digest;
    route here, elsewhere;
    REQUIRE(parse_route(target, rig.cfg, here));
    REQUIRE(parse_route("/v2/up.test/other/app/manifests/" + digest, rig.cfg, elsewhere));

    CHECK(rig.ask(http::verb::get, target).answer.object.cache_status == "miss");
    CHECK(rig.ask(http::verb::get, target).answer.object.cache_status == "hit");  // checked, then known
    CHECK(rig.services.access.known_to_hold(here, digest));
    CHECK(!rig.services.access.known_to_hold(elsewhere, digest));
    const auto hot = rig.ask(http::verb::head, target);
    REQUIRE(std::holds_alternative<shared_response>(hot.answer.body));
    CHECK(hot.answer.object.cache_status == "hit");
    CHECK(hot.answer.object.digest == digest);
    CHECK(hot.ev.repository == "team/app");
    CHECK(hot.ev.reference == digest);
    const auto asked = up.requests();

    // Memory holds the manifest, but not for this repository: the upstream is asked and says no.
    const auto refused = rig.ask(http::verb::get, "/v2/up.test/other/app/manifests/" + digest);
    CHECK(whole(refused.answer).result() == http::status::not_found);
    CHECK(up.requests() > asked);
    CHECK(!rig.services.access.known_to_hold(elsewhere, digest));
}

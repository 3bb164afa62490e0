// Images read back from strata's own index and blob store: tags through indexes to platform
// manifests, configs from cached blobs, untagged manifests, and the event log as pulls.
#include "analytics/inputs/image_catalog.hpp"
#include "tests/temp_dir.hpp"
#include "analytics/inputs/strata_pulls.hpp"

#include "storage/blobs/blob_store.hpp"
#include "storage/events/event_log.hpp"
#include "storage/index/metadata_index.hpp"

#include "tests/catch_result.hpp"
#include <nlohmann/json.hpp>
#include <unistd.h>

using namespace strata;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

storage::digest put_blob(const storage::blob_store& blobs, const std::string& text) {
    const auto d = storage::sha256_of(text);
    auto temp = blobs.create_temp();
    REQUIRE(temp);
    REQUIRE(::write(temp->fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    REQUIRE(blobs.commit(*temp, d));
    return d;
}

std::string image_manifest(const storage::digest& config, std::uint64_t layer_size) {
    return json{{"schemaVersion", 2},
                {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"}, {"digest", config.str()}, {"size", 1}}},
                {"layers", {{{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                             {"digest", "sha256:" + std::string(64, 'a')},
                             {"size", layer_size}}}}}
        .dump();
}

// A served GET of a bench's image, as its recorder writes one.
storage::pull_event bench_pull_event(std::int64_t ts, std::string kind, std::string labels) {
    storage::pull_event e;
    e.ts_ns = ts;
    e.kind = std::move(kind);
    e.method = "GET";
    e.http_status = 200;
    e.upstream = "local";
    e.repository = "bench/1gb-4";
    e.node = "node-1";
    e.duration_ns = 4'000'000'000;
    e.labels = std::move(labels);
    return e;
}

}  // namespace

TEST_CASE("the store's tags, indexes, manifests and configs become images") {
    strata::test::temp_dir root;
    storage::blob_store blobs(root.path);
    storage::metadata_index index(root.path / "index");
    const storage::repository_key repo{"ghcr.io", "org/app"};
    const auto oci = std::string("application/vnd.oci.image.manifest.v1+json");
    const auto config = put_blob(blobs, R"({"os":"linux","architecture":"amd64","created":"2024-01-01T00:00:00Z",
        "history":[{"created_by":"RUN apt-get install -y x"}]})");
    const auto amd64_body = image_manifest(config, 1000);
    const auto amd64 = storage::sha256_of(amd64_body);
    index.put_manifest(amd64, oci, amd64_body, repo, {});
    const auto arm_body = image_manifest(storage::sha256_of("not cached"), 2000);
    const auto arm = storage::sha256_of(arm_body);  // listed in the index, never pulled
    const auto index_body =
        json{{"schemaVersion", 2},
             {"mediaType", "application/vnd.oci.image.index.v1+json"},
             {"manifests", {{{"digest", amd64.str()}, {"size", 1}, {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}},
                            {{"digest", arm.str()}, {"size", 1}, {"platform", {{"os", "linux"}, {"architecture", "arm64"}}}}}}}
            .dump();
    const auto top = storage::sha256_of(index_body);
    index.put_manifest(top, "application/vnd.oci.image.index.v1+json", index_body, repo, {});
    index.put_tag(repo, "v1", {top.str(), "application/vnd.oci.image.index.v1+json", 1});
    const auto lone_body = image_manifest(storage::sha256_of("gone"), 5);
    index.put_manifest(storage::sha256_of(lone_body), oci, lone_body, {"docker.io", "library/x"}, {});

    analytics::image_catalog c;
    analytics::import_store(c, index, blobs);
    REQUIRE(c.images().size() == 2);
    const auto& tagged = c.images()[0];
    CHECK(tagged.name() == "ghcr.io/org/app:v1");
    CHECK(tagged.platform == "linux/amd64");
    CHECK(tagged.digest == amd64.str());
    CHECK(tagged.total_bytes() == 1000);
    CHECK(tagged.history.size() == 1);
    CHECK(tagged.created_s == 1704067200);
    const auto& untagged = c.images()[1];
    CHECK(untagged.tag.empty());
    CHECK(untagged.total_bytes() == 5);
    CHECK(c.counts().missing_configs == 1);
}

TEST_CASE("strata's event log gives served GETs as pull observations") {
    strata::test::temp_dir root;
    storage::metadata_index index(root.path / "index");
    storage::event_log log(index);
    const auto ev = [](std::int64_t ts, std::string kind, std::string method, unsigned status, std::string cache) {
        storage::pull_event e;
        e.ts_ns = ts;
        e.kind = std::move(kind);
        e.method = std::move(method);
        e.http_status = status;
        e.cache_status = std::move(cache);
        e.upstream = "ghcr.io";
        e.repository = "org/app";
        e.node = "gpu-1";
        e.duration_ns = 2'500'000'000;
        e.bytes_sent = 1234;
        return e;
    };
    log.append({ev(1, "blob", "GET", 200, "miss"), ev(2, "blob", "HEAD", 200, "hit"), ev(3, "manifest", "GET", 404, "error"),
                ev(4, "tags", "GET", 200, "miss"), ev(5, "manifest", "GET", 200, "hit"), ev(6, "blob", "GET", 206, "hit")});
    const auto pulls = analytics::pulls_from_event_log(log, 0, 100);
    REQUIRE(pulls.size() == 3);
    CHECK(pulls[0].image == "ghcr.io/org/app");
    CHECK(pulls[0].node == "gpu-1");
    CHECK(*pulls[0].seconds == Approx(2.5));
    CHECK(*pulls[0].image_bytes == 1234);
    CHECK(pulls[0].labels.at("cache") == "miss");
    CHECK(pulls[1].labels.at("kind") == "manifest");
    CHECK(analytics::pulls_from_event_log(log, 6, 100).size() == 1);
}

TEST_CASE("a bench run's events: each whole-image pull is one observation, with the run's labels") {
    strata::test::temp_dir root;
    storage::metadata_index index(root.path / "index");
    storage::event_log log(index);
    const std::string run = "run=r1,strategy=proxy-cold,nodes=8,shape=1GB:4";
    log.append({bench_pull_event(1, "manifest", run + ",source=proxy"), bench_pull_event(2, "blob", run + ",source=proxy"), bench_pull_event(3, "image", run),
                bench_pull_event(4, "image", "run=r2,=x,odd,strategy=direct,strategy=two-tier")});
    const auto pulls = analytics::pulls_from_event_log(log, 0, 100);
    REQUIRE(pulls.size() == 2);
    CHECK(pulls[0].image == "local/bench/1gb-4");
    CHECK(pulls[0].labels.at("strategy") == "proxy-cold");
    CHECK(pulls[0].labels.at("nodes") == "8");
    CHECK(pulls[0].labels.at("shape") == "1GB:4");
    CHECK(pulls[0].labels.at("kind") == "image");
    CHECK(*pulls[0].seconds == Approx(4.0));
    // Pairs without a key or an '=' are left out; a repeated key keeps its last value.
    CHECK(pulls[1].labels.at("run") == "r2");
    CHECK(pulls[1].labels.at("strategy") == "two-tier");
    CHECK(pulls[1].labels.count("odd") == 0);
    CHECK(pulls[1].labels.count("") == 0);
}

TEST_CASE("a caller's filter keeps only the events it asks for") {
    strata::test::temp_dir root;
    storage::metadata_index index(root.path / "index");
    storage::event_log log(index);
    log.append({bench_pull_event(1, "blob", ""), bench_pull_event(2, "image", "run=r1"), bench_pull_event(3, "image", "run=r2"), bench_pull_event(4, "manifest", "")});
    const auto r2 = analytics::pulls_from_event_log(log, 0, 100, [](const storage::pull_event& e) { return e.labels == "run=r2"; });
    REQUIRE(r2.size() == 1);
    CHECK(r2[0].labels.at("run") == "r2");
    CHECK(analytics::pulls_from_event_log(log, 0, 100, [](const storage::pull_event&) { return true; }).size() == 4);
}

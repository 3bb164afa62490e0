// Tests of generated layers: reproducible digests, real gzip'd tars of about the asked size, and
// the documents of a bench image.
#include "proxy/bench/bench_image.hpp"
#include "proxy/bench/layer_generator.hpp"
#include "proxy/bench/tar_extractor.hpp"

#include "tests/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <zlib.h>
#include <zstd.h>

using namespace strata::proxy;
using strata::storage::sha256_of;

namespace {

struct made {
    generated_layer layer;
    std::string bytes;
};

made make_layer(const layer_recipe& r) {
    std::string bytes;
    auto layer = generate_layer(r, [&](std::string_view piece) { bytes.append(piece); });
    return {std::move(layer), std::move(bytes)};
}

std::string gunzip(const std::string& gz) {
    z_stream z{};
    REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
    std::string out;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
    z.avail_in = static_cast<uInt>(gz.size());
    char buffer[65536];
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(buffer);
        z.avail_out = sizeof buffer;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buffer, sizeof buffer - z.avail_out);
    }
    inflateEnd(&z);
    REQUIRE(rc == Z_STREAM_END);
    return out;
}

std::string unzstd(const std::string& z) {
    const auto size = ZSTD_getFrameContentSize(z.data(), z.size());
    REQUIRE(size == ZSTD_CONTENTSIZE_UNKNOWN);  // streamed: the size is not in the frame
    std::string out;
    ZSTD_DStream* d = ZSTD_createDStream();
    ZSTD_inBuffer in{z.data(), z.size(), 0};
    std::size_t rc = 1;
    char buffer[65536];
    while (in.pos < in.size) {
        ZSTD_outBuffer o{buffer, sizeof buffer, 0};
        rc = ZSTD_decompressStream(d, &o, &in);
        REQUIRE(!ZSTD_isError(rc));
        out.append(buffer, o.pos);
    }
    ZSTD_freeDStream(d);
    REQUIRE(rc == 0);  // the frame is whole
    return out;
}

}  // namespace

TEST_CASE("the same recipe gives the same bytes; another seed other bytes") {
    const layer_recipe r{layer_seed(1, 1'000'000, 4, 1), 300'000, 0, "bench/layer-1"};
    const auto a = make_layer(r), b = make_layer(r);
    CHECK(a.layer.digest == b.layer.digest);
    CHECK(a.bytes == b.bytes);
    auto other = r;
    other.seed = layer_seed(2, 1'000'000, 4, 1);
    CHECK(make_layer(other).layer.digest != a.layer.digest);
    CHECK(layer_seed(1, 1'000'000, 4, 1) != layer_seed(1, 1'000'000, 4, 2));
    CHECK(layer_seed(1, 1'000'000, 4, 1) != layer_seed(1, 1'000'000, 16, 1));
}

TEST_CASE("a layer is a gzip'd tar of about the asked size, its digests those of its bytes") {
    for (const double compressibility : {0.0, 0.5, 0.9}) {
        INFO(compressibility);
        const layer_recipe r{7, 200'000, compressibility, "bench/layer-2"};
        const auto m = make_layer(r);
        CHECK(m.layer.size == m.bytes.size());
        CHECK(m.layer.digest == sha256_of(m.bytes));
        CHECK(m.layer.size == Approx(200'000).epsilon(0.1));  // "about": deflate's overhead on the random part
        const auto tar = gunzip(m.bytes);
        CHECK(m.layer.diff_id == sha256_of(tar));
        strata::test::temp_dir root;
        tar_extractor x(root.path);
        x.feed(tar);
        CHECK(x.files() == 1);
        CHECK(x.file_bytes() == static_cast<std::uint64_t>(200'000 / (1 - compressibility)));
        CHECK(std::filesystem::exists(root.path / "bench/layer-2/part-0.bin"));
    }
}

TEST_CASE("a zstd layer is the same tar, zstd-compressed, reproducibly, with its own media type") {
    layer_recipe r{7, 200'000, 0.5, "bench/layer-2"};
    const auto gz = make_layer(r);
    r.compression = layer_compression::zstd;
    const auto zs = make_layer(r), again = make_layer(r);
    CHECK(zs.layer.digest == again.layer.digest);
    CHECK(zs.layer.digest == sha256_of(zs.bytes));
    CHECK(zs.layer.digest != gz.layer.digest);
    CHECK(zs.layer.diff_id == gz.layer.diff_id);  // the same tar inside
    CHECK(zs.layer.diff_id == sha256_of(unzstd(zs.bytes)));
    CHECK(zs.layer.size == Approx(200'000).epsilon(0.1));
    const auto docs = bench_image({zs.layer, gz.layer}, "400kB:2", 1);
    const auto manifest = nlohmann::json::parse(docs.manifest);
    CHECK(manifest["layers"][0]["mediaType"] == "application/vnd.oci.image.layer.v1.tar+zstd");
    CHECK(manifest["layers"][1]["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip");
    CHECK(parse_layer_compression("zstd") == layer_compression::zstd);
    CHECK_THROWS_WITH(parse_layer_compression("xz"), "compression 'xz' is not gzip or zstd");
}

TEST_CASE("recipes outside the generator's range are refused") {
    CHECK_THROWS_AS(make_layer({1, 0, 0, "x"}), std::invalid_argument);
    CHECK_THROWS_AS(make_layer({1, 1000, 0.99, "x"}), std::invalid_argument);
    CHECK_THROWS_AS(make_layer({1, 1000, -0.1, "x"}), std::invalid_argument);
}

TEST_CASE("a bench image's config lists the diff_ids and its manifest the layers, reproducibly") {
    const auto a = make_layer({1, 5000, 0, "bench/layer-1"}), b = make_layer({2, 5000, 0, "bench/layer-2"});
    const auto docs = bench_image({a.layer, b.layer}, "10kB:2", 9);
    CHECK(docs.manifest == bench_image({a.layer, b.layer}, "10kB:2", 9).manifest);
    const auto config = nlohmann::json::parse(docs.config);
    CHECK(config["rootfs"]["diff_ids"][1] == b.layer.diff_id.str());
    CHECK(config["config"]["Labels"]["org.strata.bench.shape"] == "10kB:2");
    CHECK(config["history"].size() == 2);
    const auto manifest = nlohmann::json::parse(docs.manifest);
    CHECK(manifest["config"]["digest"] == sha256_of(docs.config).str());
    CHECK(manifest["layers"][0]["digest"] == a.layer.digest.str());
    CHECK(manifest["layers"][0]["size"] == a.layer.size);
    CHECK(manifest["mediaType"] == oci_manifest_type);
}

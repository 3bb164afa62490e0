// Images saved into a data directory's index and read back: the record round trip, hostile
// records (truncated, padded, lying counts), replacement by key, and the study's images.
#include "analytics/inputs/image_catalog.hpp"
#include "analytics/inputs/saved_images.hpp"
#include "storage/index/metadata_index.hpp"
#include "storage/index/saved_images.hpp"
#include "tests/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace strata;
using namespace strata::analytics;

namespace {

image sample_image() {
    image img{.registry = "ghcr.io", .repository = "org/app", .tag = "v1", .digest = "sha256:" + std::string(64, 'd'),
              .platform = "linux/amd64"};
    img.created_s = 1700000000;
    img.seen_s = -5;
    img.config = {"sha256:" + std::string(64, 'c'), 1234};
    img.layers = {{"sha256:" + std::string(64, 'a'), 6000000000ull}, {"sha256:" + std::string(64, 'b'), 0}};
    img.history = {{"RUN apt-get install -y x", false}, {"ENV A=\x01\n", true}, {"", false}};
    img.labels = {{"cloud", "aws"}, {"", "empty key"}};
    return img;
}

bool same(const image& a, const image& b) { return encode_saved_image(a) == encode_saved_image(b); }

}  // namespace

TEST_CASE("a saved image reads back field for field") {
    const auto img = sample_image();
    const auto back = decode_saved_image(encode_saved_image(img));
    REQUIRE(back);
    CHECK(back->name() == img.name());
    CHECK(back->digest == img.digest);
    CHECK(back->platform == img.platform);
    CHECK(back->created_s == img.created_s);
    CHECK(back->seen_s == img.seen_s);
    CHECK(back->config.size == 1234);
    REQUIRE(back->layers.size() == 2);
    CHECK(back->layers[0].size == 6000000000ull);
    REQUIRE(back->history.size() == 3);
    CHECK(back->history[1].created_by == "ENV A=\x01\n");
    CHECK(back->history[1].empty_layer);
    CHECK(back->labels == img.labels);
    image bare;
    const auto bare_back = decode_saved_image(encode_saved_image(bare));
    REQUIRE(bare_back);
    CHECK_FALSE(bare_back->created_s);
    CHECK(same(*bare_back, bare));
}

TEST_CASE("a damaged saved record is refused, never read past its end") {
    const auto record = encode_saved_image(sample_image());
    for (std::size_t n = 0; n < record.size(); ++n) CHECK_FALSE(decode_saved_image(record.substr(0, n)));
    CHECK_FALSE(decode_saved_image(record + "x"));
    CHECK_FALSE(decode_saved_image("\x02" + record.substr(1)));  // a version this one did not write
    // A layer count of 2^62 in a record of a few bytes: refused without reserving anything.
    image img;
    auto lying = encode_saved_image(img);
    const auto layers_at = lying.size() - 3;  // layers, history and labels counts are the last three bytes
    lying.replace(layers_at, 1, std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x3f", 9));
    CHECK_FALSE(decode_saved_image(lying));
    // A flag byte other than 0 or 1.
    auto flag = encode_saved_image(img);
    flag[1 + 5] = 7;  // after the five empty names: created_s's flag
    CHECK_FALSE(decode_saved_image(flag));
}

TEST_CASE("saved images are read back one at a time, in key order, replaced by key") {
    strata::test::temp_dir dir;
    std::vector<image> images;
    for (int i = 0; i < 2500; ++i) {  // more than one batch
        auto img = sample_image();
        img.tag = "v" + std::to_string(i);
        images.push_back(std::move(img));
    }
    {
        storage::metadata_index index(dir.path / "index");
        CHECK(save_images(index, images, 42) == 2500);
        images[7].layers.pop_back();
        save_images(index, {images[7]}, 43);
        // A record another version wrote: skipped and counted, the others still read.
        storage::put_saved_images(index, {{"zz", "\x09garbage"}});
    }
    storage::metadata_index index(dir.path / "index", storage::metadata_index::open_mode::read_only);
    std::size_t n = 0;
    std::string previous;
    const auto damaged = for_each_saved_image(index, [&](image& img) {
        ++n;
        const auto key = saved_image_key(img);
        CHECK(previous < key);
        previous = key;
        if (img.tag == "v7") {
            CHECK(img.layers.size() == 1);
            CHECK(img.seen_s == 43);
        } else {
            CHECK(img.seen_s == 42);
        }
    });
    CHECK(n == 2500);
    CHECK(damaged == 1);
    CHECK(storage::has_saved_image(index, saved_image_key(images[0])));
    CHECK_FALSE(storage::has_saved_image(index, "ghcr.io/org/app:v9999"));
}

TEST_CASE("the study's images are saved and read back unchanged") {
    const auto study = std::filesystem::path(STRATA_SOURCE_DIR) / "tests" / "fixtures" / "manifests";
    image_catalog catalog;
    import_image_files(catalog, {study});
    REQUIRE(catalog.images().size() > 7);
    strata::test::temp_dir dir;
    storage::metadata_index index(dir.path / "index");
    save_images(index, catalog.images(), 0);
    std::map<std::string, std::string> expected;
    for (auto img : catalog.images()) {
        img.seen_s = 0;
        expected[saved_image_key(img)] = encode_saved_image(img);
    }
    std::map<std::string, std::string> got;
    for_each_saved_image(index, [&](image& img) { got[saved_image_key(img)] = encode_saved_image(img); });
    CHECK(got == expected);
}

// Tests of shapes drawn from a corpus: the p50 and p90 image, seeded samples, what is left out.
#include "proxy/bench/corpus_shapes.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>

using namespace strata::proxy;

TEST_CASE("the p50 and p90 image of a corpus, written as shapes the generator makes") {
    std::vector<corpus_image> corpus;
    for (unsigned i = 1; i <= 10; ++i) corpus.push_back({i * 100'000'000ull, i * 2});
    corpus.push_back({0, 0});  // nothing pulled: left out
    const auto shapes = typical_shapes(corpus);
    REQUIRE(shapes.size() == 2);
    CHECK(shapes[0].text == "500MB:10");
    CHECK(shapes[0].bytes == 500'000'000);
    CHECK(shapes[1].text == "900MB:18");
    CHECK(parse_image_shapes(shapes[1].text)[0].bytes == shapes[1].bytes);
    // Tiny images are rounded in kB and never under 1 KiB a layer.
    const auto tiny = typical_shapes({{5000, 3}});
    REQUIRE(tiny.size() == 1);  // p50 and p90 are the same image
    CHECK(tiny[0].text == "5kB:3");
    CHECK(typical_shapes({{100, 2000}})[0].layers == 1000);
    CHECK_THROWS_AS(typical_shapes({{0, 0}}), std::invalid_argument);
}

TEST_CASE("a sample draws the corpus's own images, the same ones for the same seed") {
    std::vector<corpus_image> corpus;
    for (unsigned i = 1; i <= 50; ++i) corpus.push_back({i * 10'000'000ull, i});
    const auto a = sampled_shapes(corpus, 8, 7), b = sampled_shapes(corpus, 8, 7), c = sampled_shapes(corpus, 8, 8);
    REQUIRE_FALSE(a.empty());
    CHECK(a.size() <= 8);
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].text == b[i].text);
    bool differs = a.size() != c.size();
    for (std::size_t i = 0; !differs && i < a.size(); ++i) differs = a[i].text != c[i].text;
    CHECK(differs);
    for (const auto& s : a) CHECK(s.bytes == s.layers * 10'000'000ull);  // each an image of the corpus
    CHECK_THROWS_AS(sampled_shapes({}, 3, 1), std::invalid_argument);
}

TEST_CASE("corpus shapes keep the layer-size profile of the corpus's images") {
    // Two 4-layer images near the p50 size: the nearer one's profile is the p50 image's.
    std::vector<corpus_image> corpus{
        {100'000'000, 4, {70'000'000, 10'000'000, 10'000'000, 10'000'000}},
        {120'000'000, 4, {30'000'000, 30'000'000, 30'000'000, 30'000'000}},
        {400'000'000, 2, {}},  // sizes not known: equal layers
    };
    const auto shapes = typical_shapes(corpus);
    REQUIRE(shapes.size() == 2);
    CHECK(shapes[0].text == "120MB:4");
    REQUIRE(shapes[0].layer_shares.size() == 4);
    CHECK(shapes[0].layer_bytes(0) == 30'000'000);
    CHECK(shapes[1].text == "400MB:4");  // the p90 size with the p90 count, shaped as the 120 MB image
    CHECK(shapes[1].layer_bytes(1) == 100'000'000);
    const auto unknown = typical_shapes({corpus[2]});
    CHECK(unknown[0].layer_shares.empty());
    CHECK(unknown[0].layer_bytes(1) == 200'000'000);

    const auto skewed = sampled_shapes({corpus[0]}, 1, 1);
    REQUIRE(skewed.size() == 1);
    CHECK(skewed[0].layer_bytes(0) == 70'000'000);
    CHECK(skewed[0].layer_bytes(3) == 10'000'000);
    // A layer far under 1 KiB (an empty layer) is made at the generator's least.
    const auto tiny = sampled_shapes({{10'000'000, 2, {10'000'000, 32}}}, 1, 1);
    CHECK(tiny[0].layer_bytes(1) == min_layer_bytes);
}

TEST_CASE("a corpus image whose layer sizes overflow gives no profile, and no layer outgrows its image") {
    const auto huge = sampled_shapes({{UINT64_MAX, 2, {UINT64_MAX, 2048}}}, 1, 1);
    REQUIRE(huge.size() == 1);
    CHECK(huge[0].layer_shares.empty());
    CHECK(huge[0].layer_bytes(0) <= huge[0].bytes);
    image_shape odd;
    odd.bytes = 10'000, odd.layers = 2, odd.layer_shares = {5.0, std::nan("")};
    CHECK(odd.layer_bytes(0) == 10'000);
    CHECK(odd.layer_bytes(1) == min_layer_bytes);
}

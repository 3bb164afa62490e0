// Tests of SIZE:LAYERS shape lists: what parses, what is refused and how it is named.
#include "proxy/bench/image_shapes.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;

TEST_CASE("shape lists parse sizes, layer counts and repository names") {
    const auto shapes = parse_image_shapes("1GB:1, 1GB:4,512MiB:16,1.5GB:8");
    REQUIRE(shapes.size() == 4);
    CHECK(shapes[0].bytes == 1'000'000'000);
    CHECK(shapes[1].layers == 4);
    CHECK(shapes[2].bytes == 512ull << 20);
    CHECK(shapes[3].bytes == 1'500'000'000);
    CHECK(shapes[0].repository("bench") == "bench/1gb-1");
    CHECK(shapes[2].repository("bench") == "bench/512mib-16");
    CHECK(shapes[3].repository("x/y") == "x/y/1_5gb-8");
    CHECK(shapes[1].text == "1GB:4");
}

TEST_CASE("impossible shapes are refused with the item named") {
    const auto refused = [](const char* text, const char* why) {
        INFO(text);
        try {
            parse_image_shapes(text);
            FAIL("accepted");
        } catch (const std::invalid_argument& e) {
            CHECK_THAT(e.what(), Catch::Contains(why));
        }
    };
    refused("1GB", "SIZE:LAYERS");
    refused("big:4", "not a size");
    refused("0:4", "not a size");
    refused("1GB:0", "from 1 to 1000");
    refused("1GB:1001", "from 1 to 1000");
    refused("1GB:-1", "from 1 to 1000");
    refused("1GB:4x", "from 1 to 1000");
    refused("2KB:4", "under 1 KiB");
    refused("2TB:4", "over 1 TiB");
    refused("1GB:4,1000MB:4", "given twice");
    refused(",,", "no shapes");
    refused("", "no shapes");
}

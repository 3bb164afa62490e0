// fuzz_saved_image: records of images saved in a data directory (analytics/inputs/saved_images),
// as read back from an index that may be damaged: never read past the record, and what decodes
// encodes back to a record that decodes to the same image.
#include "analytics/inputs/saved_images.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace strata::analytics;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto record = strata::fuzz::as_text(data, size);
    const auto img = decode_saved_image(record);
    if (!img) return 0;
    const auto again = encode_saved_image(*img);
    FUZZ_CHECK(again.size() <= record.size());  // varints are written in their shortest form
    const auto back = decode_saved_image(again);
    FUZZ_CHECK(back.has_value());
    FUZZ_CHECK(encode_saved_image(*back) == again);
    FUZZ_CHECK(img->layers.size() <= record.size() && img->history.size() <= record.size());
    return 0;
}

// fuzz_bench_plan: what strata bench reads from the user: a shape list (the first line) and a
// JSON pull plan (the rest). Each parses or is refused with std::invalid_argument, nothing else,
// whose message shows the input's text escaped: one line per fault, no control character.
#include "analytics/inputs/json_input.hpp"
#include "proxy/bench/image_shapes.hpp"
#include "proxy/bench/pull_plan.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/fuzz/shown_text.hpp"

#include <stdexcept>

using namespace strata::proxy;

namespace {

void check_message(const std::invalid_argument& e) { FUZZ_CHECK(strata::fuzz::shows_safely(e.what(), /*newlines_allowed=*/true)); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto [shapes_text, plan_text] = strata::fuzz::split_first_line(strata::fuzz::as_text(data, size));
    try {
        for (const auto& s : parse_image_shapes(shapes_text)) {
            FUZZ_CHECK(s.layers >= 1 && s.layers <= max_shape_layers);
            FUZZ_CHECK(s.bytes / s.layers >= min_layer_bytes && s.bytes <= max_shape_bytes);
        }
    } catch (const std::invalid_argument& e) {
        check_message(e);
    }
    const auto doc = strata::analytics::parse_json_guarded(plan_text);
    if (doc.is_discarded()) return 0;
    try {
        pull_plan plan;
        read_plan_json(doc, plan);
        for (const auto n : plan.nodes) FUZZ_CHECK(n >= 1 && n <= max_bench_nodes);
        for (const auto c : plan.concurrency) FUZZ_CHECK(c <= max_bench_concurrency);
        check_plan(plan);
        FUZZ_CHECK(!plan.registries.empty() && !plan.images.empty());
    } catch (const std::invalid_argument& e) {
        check_message(e);
    }
    return 0;
}

// fuzz_go_duration: Go time.Duration text as kubelets print it (analytics/inputs/go_duration).
#include "analytics/inputs/go_duration.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cmath>

using namespace strata;
using namespace strata::analytics;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::as_text(data, size);
    const auto seconds = parse_go_duration_seconds(text);
    if (!seconds) return 0;
    FUZZ_CHECK(!std::isnan(*seconds));
    FUZZ_CHECK(!text.empty());
    if (text.front() != '-') FUZZ_CHECK(*seconds >= 0);
    if (text == "0") FUZZ_CHECK(*seconds == 0);
    return 0;
}

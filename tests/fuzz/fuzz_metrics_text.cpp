// fuzz_metrics_text: a strata's /metrics as the bench reads one counter from it: any text gives
// a finite sum or none.
#include "proxy/bench/metrics_text.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = strata::fuzz::as_text(data, size);
    for (const auto& [label, value] : {std::pair{"", ""}, std::pair{"upstream", "a.test"}}) {
        const auto sum = strata::proxy::metric_sum(text, "strata_upstream_bytes_total", label, value);
        if (sum) FUZZ_CHECK(!std::isnan(*sum));
    }
    return 0;
}

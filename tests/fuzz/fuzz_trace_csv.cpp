// fuzz_trace_csv: `time,node,digest,size[,registry]` request traces for the simulator
// (analytics/simulator/trace_import trace_from_csv, interned by analytics/simulator/trace).
#include "analytics/simulator/trace.hpp"
#include "storage/oci/digest.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cmath>
#include <stdexcept>

using namespace strata;
using namespace strata::analytics;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    trace t;
    try {
        t = trace_from_csv(fuzz::as_text(data, size));
    } catch (const std::invalid_argument&) {
        return 0;  // no header: the documented refusal
    }
    FUZZ_CHECK(t.nodes.size() == t.node_labels.size());
    FUZZ_CHECK(t.objects.size() == t.object_sizes.size());
    FUZZ_CHECK(t.errors.size() <= t.bad_lines);
    for (const auto& o : t.objects) FUZZ_CHECK(storage::digest::parse(o).has_value());
    for (std::size_t i = 0; i < t.requests.size(); ++i) {
        const auto& r = t.requests[i];
        FUZZ_CHECK(std::isfinite(r.time_s));
        FUZZ_CHECK(r.node < t.nodes.size() && r.object < t.objects.size() && r.registry < t.registries.size());
        FUZZ_CHECK(r.size == t.object_sizes[r.object]);
        if (i > 0) FUZZ_CHECK(t.requests[i - 1].time_s <= r.time_s);
    }
    return 0;
}

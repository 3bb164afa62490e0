// fuzz_k8s_events: Kubernetes event logs, as JSON lines or one EventList document
// (analytics/inputs/k8s_events k8s_event_importer::add_text, with kubelet messages and timestamps).
#include "analytics/inputs/k8s_events.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace strata;
using namespace strata::analytics;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const label_set labels{{"cloud", "aws"}};
    k8s_event_importer importer;
    importer.add_text(fuzz::as_text(data, size), labels);

    const auto& c = importer.counts();
    FUZZ_CHECK(c.pulled + c.already_present == importer.pulls().size());
    // Every Pulling/Pulled event is a duplicate, a pull, a cache hit or an unparsed message.
    FUZZ_CHECK(c.events >= c.duplicates + c.pulling + c.pulled + c.already_present + c.unparsed_messages);
    FUZZ_CHECK(c.not_json + c.not_events + c.events <= c.lines);
    for (const auto& p : importer.pulls()) {
        FUZZ_CHECK(p.labels == labels);
        FUZZ_CHECK(!p.image.empty());
        FUZZ_CHECK(!(p.already_present && p.seconds));
    }
    return 0;
}

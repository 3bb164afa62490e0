// fuzz_kubelet_message: kubelet Pulling/Pulled event messages (analytics/inputs/kubelet_message), and
// the image references they name as the simulator normalises them (analytics/simulator/trace normalise_ref).
// Input: the event's reason, '\n', its message.
#include "analytics/inputs/kubelet_message.hpp"
#include "analytics/simulator/trace.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <cmath>

using namespace strata;
using namespace strata::analytics;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto [reason, message] = fuzz::split_first_line(fuzz::as_text(data, size));
    const auto m = parse_kubelet_message(reason, message);
    if (!m) return 0;

    using kind = kubelet_pull_message::kind;
    FUZZ_CHECK(reason == "Pulled" || reason == "Pulling");
    FUZZ_CHECK((reason == "Pulling") == (m->what == kind::pulling));
    FUZZ_CHECK(!m->image.empty() && m->image.find('"') == std::string::npos);
    FUZZ_CHECK(message.find(m->image) != std::string_view::npos);
    if (m->what == kind::pulled) FUZZ_CHECK(m->seconds.has_value());
    else FUZZ_CHECK(!m->seconds && !m->seconds_with_waiting && !m->image_bytes);
    if (m->seconds) FUZZ_CHECK(!std::isnan(*m->seconds));

    const auto ref = normalise_ref(m->image);
    FUZZ_CHECK(ref.repository.find('/') != std::string::npos);
    FUZZ_CHECK(!ref.tag.empty() || !ref.digest.empty());
    return 0;
}

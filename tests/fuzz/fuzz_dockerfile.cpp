// fuzz_dockerfile: Dockerfile text read for its base images and RUN steps
// (analytics/inputs/dockerfile_stages read_dockerfile), then surveyed as `strata analyze
// dockerfiles` does. Input: the Dockerfile.
#include "analytics/analyses/dockerfile_survey.hpp"
#include "analytics/inputs/dockerfile_stages.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <algorithm>

using namespace strata::analytics;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = strata::fuzz::as_text(data, size);
    const auto facts = read_dockerfile(text);
    const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    for (const auto& b : facts.bases) {
        FUZZ_CHECK(b.line >= 1 && b.line <= lines);
        FUZZ_CHECK(b.written.size() <= 4096);
        if (b.kind == base_kind::image) {
            std::string problem;
            // A normalised reference is a fixed point of normalisation.
            FUZZ_CHECK(normalise_image_reference(b.reference, problem) == b.reference);
        }
        if (b.kind == base_kind::unresolved) FUZZ_CHECK(!b.variables.empty() && b.variables.size() <= 16);
        if (b.kind == base_kind::invalid) FUZZ_CHECK(!b.problem.empty());
    }
    FUZZ_CHECK(facts.stages <= facts.bases.size());
    for (const auto& r : facts.runs) FUZZ_CHECK(r.line >= 1 && r.line <= lines);
    dockerfile_survey survey;
    survey.add_dockerfile("repo", "repo/Dockerfile", text);
    const auto result = survey.result(5);
    FUZZ_CHECK(result.install_steps <= facts.runs.size());
    FUZZ_CHECK(result.uncleaned_install_steps <= result.install_steps);
    return 0;
}

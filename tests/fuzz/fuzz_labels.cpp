// fuzz_labels: label patterns matched against file paths (analytics/inputs/labels labels_from_path).
// Input: the pattern, '\n', the path.
#include "analytics/inputs/labels.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <stdexcept>

using namespace strata;
using namespace strata::analytics;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto [pattern, path] = fuzz::split_first_line(fuzz::as_text(data, size));
    std::optional<label_set> labels;
    try {
        labels = labels_from_path(pattern, std::filesystem::path(std::string(path)));
    } catch (const std::invalid_argument&) {
        return 0;  // a malformed pattern: the documented refusal
    }
    if (!labels) return 0;
    for (const auto& [name, value] : *labels) {
        FUZZ_CHECK(pattern.find("{" + name + "}") != std::string_view::npos);
        FUZZ_CHECK(path.find(value) != std::string_view::npos);
    }
    return 0;
}

// kubelet_message: what a kubelet Pulling/Pulled event says about an image pull.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::analytics {

struct kubelet_pull_message {
    enum class kind { pulling, pulled, already_present };
    kind what = kind::pulling;
    std::string image;
    std::optional<double> seconds;               // "in 1.06s"
    std::optional<double> seconds_with_waiting;  // "(1.06s including waiting)"
    std::optional<std::uint64_t> image_bytes;    // ". Image size: N bytes."
};

// Parses the message of a kubelet event with reason "Pulling" or "Pulled":
//   Pulling image "<ref>"
//   Successfully pulled image "<ref>" in <duration>[ (<duration> including waiting)][. Image size: <n> bytes.]
//   Container image "<ref>" already present on machine
// nullopt for other reasons or messages that do not have one of these forms.
std::optional<kubelet_pull_message> parse_kubelet_message(std::string_view reason, std::string_view message);

}  // namespace strata::analytics

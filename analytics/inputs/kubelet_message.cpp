// kubelet_message: prefix matching on the three message forms kubelet has used since 1.2x.
#include "analytics/inputs/kubelet_message.hpp"

#include "analytics/inputs/go_duration.hpp"

#include <charconv>

namespace strata::analytics {
namespace {

// Reads "\"<ref>\"" at the front of rest.
std::optional<std::string> take_quoted(std::string_view& rest) {
    if (rest.empty() || rest.front() != '"') return std::nullopt;
    const auto close = rest.find('"', 1);
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    std::string out(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    return out;
}

bool take(std::string_view& rest, std::string_view literal) {
    if (!rest.starts_with(literal)) return false;
    rest.remove_prefix(literal.size());
    return true;
}

// "<duration> including waiting)" up to the closing parenthesis.
std::optional<double> take_waiting(std::string_view& rest) {
    const auto end = rest.find(" including waiting)");
    if (end == std::string_view::npos) return std::nullopt;
    const auto d = parse_go_duration_seconds(rest.substr(0, end));
    rest.remove_prefix(end + std::string_view(" including waiting)").size());
    return d;
}

std::optional<std::uint64_t> take_size(std::string_view& rest) {
    if (!take(rest, ". Image size: ")) return std::nullopt;
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    if (ec != std::errc()) return std::nullopt;
    rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
    if (!take(rest, " bytes")) return std::nullopt;
    take(rest, ".");
    return n;
}

std::optional<kubelet_pull_message> parse_pulled(std::string_view rest) {
    kubelet_pull_message m;
    if (take(rest, "Container image ")) {
        auto image = take_quoted(rest);
        if (!image || rest != " already present on machine") return std::nullopt;
        m.what = kubelet_pull_message::kind::already_present;
        m.image = std::move(*image);
        return m;
    }
    if (!take(rest, "Successfully pulled image ")) return std::nullopt;
    auto image = take_quoted(rest);
    if (!image || !take(rest, " in ")) return std::nullopt;
    m.what = kubelet_pull_message::kind::pulled;
    m.image = std::move(*image);
    const auto end = std::min(rest.find(' '), rest.find(". Image size"));
    m.seconds = parse_go_duration_seconds(rest.substr(0, end));
    if (!m.seconds) return std::nullopt;
    rest.remove_prefix(std::min(end, rest.size()));
    if (take(rest, " (")) {
        m.seconds_with_waiting = take_waiting(rest);
        if (!m.seconds_with_waiting) return std::nullopt;
    }
    if (!rest.empty()) {
        m.image_bytes = take_size(rest);
        if (!m.image_bytes || !rest.empty()) return std::nullopt;
    }
    return m;
}

}  // namespace

std::optional<kubelet_pull_message> parse_kubelet_message(std::string_view reason, std::string_view message) {
    if (reason == "Pulled") return parse_pulled(message);
    if (reason != "Pulling" || !message.starts_with("Pulling image ")) return std::nullopt;
    message.remove_prefix(std::string_view("Pulling image ").size());
    auto image = take_quoted(message);
    if (!image || !message.empty()) return std::nullopt;
    return kubelet_pull_message{kubelet_pull_message::kind::pulling, std::move(*image), {}, {}, {}};
}

}  // namespace strata::analytics

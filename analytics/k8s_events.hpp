// k8s_events: image pulls from Kubernetes event logs (kubernetes-event-exporter lines or
// `kubectl get events -o json`), de-duplicated by event uid.
#pragma once

#include "analytics/event_fields.hpp"
#include "analytics/labels.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace strata::analytics {

// One kubelet "Pulled" event: a pull that happened, or a container whose image was already
// on the node (a kubelet cache hit).
struct pull_observation {
    std::string uid;
    std::string image, node, pod, container;  // pod is "namespace/name"
    std::int64_t time_s = 0;                  // lastTimestamp (or eventTime, firstTimestamp)
    bool already_present = false;
    std::optional<double> seconds;               // from the message, else Pulled - Pulling
    std::optional<double> seconds_with_waiting;
    std::optional<std::uint64_t> image_bytes;
    label_set labels;
};

struct import_counts {
    std::size_t files = 0, unreadable_files = 0, lines = 0;
    std::size_t not_json = 0;        // error lines, truncated or hostile JSON
    std::size_t not_events = 0;      // JSON without an event's reason (the exporter's own logs)
    std::size_t events = 0, duplicates = 0;
    std::size_t pulling = 0, pulled = 0, already_present = 0;
    std::size_t unparsed_messages = 0;  // Pulled/Pulling with a message of no known form
};

// "2024-08-22T22:29:27Z" (optionally with fractional seconds or an offset) as epoch seconds.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

class k8s_event_importer {
public:
    // A file, gzip-compressed or not: an EventList document or one JSON value per line, with
    // any junk lines in between (counted). An unreadable file is counted, not thrown.
    void add_file(const std::filesystem::path& path, const label_set& labels);
    void add_text(std::string_view text, const label_set& labels);
    // Files and directories in the order given (an event seen twice counts where it was read
    // first); directories are searched for *.json, *.jsonl, *.log and their .gz, in path order.
    // Each file gets fixed, plus the labels pattern (labels.hpp) takes from its path. Returns
    // how many files did not match a non-empty pattern. Throws std::invalid_argument for a
    // malformed pattern.
    std::size_t add_paths(const std::vector<std::string>& paths, std::string_view pattern, const label_set& fixed);

    const std::vector<pull_observation>& pulls() const noexcept { return pulls_; }
    const import_counts& counts() const noexcept { return counts_; }

private:
    void add_line(std::string_view line, const label_set& labels);
    void add_event(const event_fields& event, const label_set& labels);

    std::vector<pull_observation> pulls_;
    import_counts counts_;
    std::unordered_set<std::string> seen_uids_;
    std::unordered_map<std::string, std::int64_t> pulling_since_;  // pod|container|image -> time
};

}  // namespace strata::analytics

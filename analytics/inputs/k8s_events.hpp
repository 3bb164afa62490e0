// k8s_events: image pulls from Kubernetes event logs (kubernetes-event-exporter lines or
// `kubectl get events -o json`), de-duplicated by event uid.
#pragma once

#include "analytics/inputs/event_fields.hpp"
#include "analytics/inputs/input_limits.hpp"
#include "analytics/inputs/labels.hpp"

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
    std::size_t files = 0, lines = 0;
    std::size_t unreadable_files = 0;  // nothing read: missing, corrupt from the start, a document over its cap
    std::size_t damaged_files = 0;     // read up to damage (truncated, corrupt, data after the gzip stream)
    std::size_t oversized_lines = 0;   // over input_limits::max_line_bytes: skipped (counted in lines)
    std::size_t not_json = 0;        // error lines, truncated or hostile JSON
    std::size_t not_events = 0;      // JSON without an event's reason (the exporter's own logs)
    std::size_t events = 0, duplicates = 0;
    std::size_t pulling = 0, pulled = 0, already_present = 0;
    std::size_t unparsed_messages = 0;  // Pulled/Pulling with a message of no known form
};

// "2024-08-22T22:29:27Z" (optionally with fractional seconds or an offset) as epoch seconds.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

class event_file_reader;

// Not thread-safe (add_paths starts and joins its own threads). Memory per file is bounded by
// the limits, whatever the file holds or claims.
class k8s_event_importer {
public:
    explicit k8s_event_importer(input_limits limits = {}) : limits_(limits) {}

    // A file, gzip-compressed or not, streamed one line at a time: one JSON value per line, with
    // any junk lines in between (counted); a line over max_line_bytes is skipped, counted and
    // noted with its line number. When the first non-blank line opens a JSON object without
    // closing it, the file is one document (`kubectl get events -o json`), read whole up to
    // max_document_bytes (a larger one is counted unreadable and noted "file PATH: larger than N
    // bytes"). Damaged and unreadable files are counted and noted, never thrown.
    void add_file(const std::filesystem::path& path, const label_set& labels);
    // The same for text already in memory (an EventList or lines; the line cap applies).
    void add_text(std::string_view text, const label_set& labels);
    // Files and directories in the order given (an event seen twice counts where it was read
    // first), read on every core a few files at a time; directories are searched for *.json, *.jsonl, *.log and their .gz, in path order.
    // Each file gets fixed, plus the labels pattern (labels.hpp) takes from its path. Returns
    // how many files did not match a non-empty pattern. Throws std::invalid_argument for a
    // malformed pattern.
    std::size_t add_paths(const std::vector<std::string>& paths, std::string_view pattern, const label_set& fixed);

    const std::vector<pull_observation>& pulls() const noexcept { return pulls_; }
    const import_counts& counts() const noexcept { return counts_; }
    // The first problems met, each naming its file (and line): "file PATH line 7: longer than
    // 16777216 bytes, skipped", "file PATH: truncated gzip data".
    const std::vector<std::string>& errors() const noexcept { return errors_; }

private:
    // One file's (or text's) counts, notes and events, in order.
    void absorb(event_file_reader& reader, const label_set& labels);
    void add_event(const event_fields& event, const label_set& labels);

    input_limits limits_;
    std::vector<pull_observation> pulls_;
    import_counts counts_;
    std::vector<std::string> errors_;
    std::unordered_set<std::string> seen_uids_;
    std::unordered_map<std::string, std::int64_t> pulling_since_;  // pod|container|image -> time
};

}  // namespace strata::analytics

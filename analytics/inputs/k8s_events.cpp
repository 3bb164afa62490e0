// k8s_events: streaming event files a line at a time (or one capped document), hostile-input
// guards, event decoding, uid de-duplication.
#include "analytics/inputs/k8s_events.hpp"

#include "analytics/inputs/event_fields.hpp"
#include "analytics/inputs/input_stream.hpp"
#include "analytics/inputs/kubelet_message.hpp"
#include "analytics/inputs/line_reader.hpp"
#include "analytics/inputs/ordered_parallel.hpp"


#include <algorithm>
#include <ctime>

namespace strata::analytics {
namespace {

// "spec.containers{name}" -> "name"
std::string container_of(const std::string& field_path) {
    const auto open = field_path.find('{');
    const auto close = field_path.rfind('}');
    if (open == std::string::npos || close == std::string::npos || close <= open) return field_path;
    return field_path.substr(open + 1, close - open - 1);
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
    std::tm tm{};
    int consumed = 0;
    const std::string s(text.substr(0, 64));
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &consumed) != 6)
        return std::nullopt;
    std::string_view rest = std::string_view(s).substr(static_cast<std::size_t>(consumed));
    if (!rest.empty() && rest.front() == '.') {
        rest.remove_prefix(1);
        while (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
    }
    int offset_s = 0;
    int oh = 0, om = 0;
    if (rest == "Z" || rest == "z") {
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') &&
               std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &oh, &om) == 2) {
        offset_s = (rest[0] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
        return std::nullopt;
    }
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<std::int64_t>(timegm(&tm)) - offset_s;
}

namespace {

bool is_event_file(const std::filesystem::path& p) {
    auto name = p.filename().string();
    if (name.ends_with(".gz")) name.resize(name.size() - 3);
    return name.ends_with(".json") || name.ends_with(".jsonl") || name.ends_with(".log");
}

std::vector<std::filesystem::path> event_files(const std::vector<std::string>& paths) {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (const auto& p : paths) {
        if (!fs::is_directory(p)) {
            files.emplace_back(p);
            continue;
        }
        std::vector<fs::path> found;
        for (const auto& e : fs::recursive_directory_iterator(p))
            if (e.is_regular_file() && is_event_file(e.path())) found.push_back(e.path());
        std::sort(found.begin(), found.end());
        files.insert(files.end(), found.begin(), found.end());
    }
    return files;
}

}  // namespace

namespace {

constexpr std::size_t max_event_errors_kept = 50;

bool is_blank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

// A line that starts a JSON object but is not one: the top of a pretty-printed document.
bool opens_document(std::string_view line) {
    const auto first = line.find_first_not_of(" \t\r");
    return first != std::string_view::npos && line[first] == '{' && !read_event_fields(line);
}

}  // namespace

// Reads one file (or text) into what the importer needs from it, on any thread: the line and
// file counts, the notes, and the events with a reason, in order. Holds no importer state, so
// files can be read in parallel and their events replayed in file order.
class event_file_reader {
public:
    explicit event_file_reader(const input_limits& limits) : limits_(limits) {}

    import_counts counts;  // files, lines, unreadable, damaged, oversized, not JSON, not events
    std::vector<std::string> notes;
    std::vector<event_fields> events;

    void read_file(const std::filesystem::path& path) {
        ++counts.files;
        line_reader lines(path, limits_.max_line_bytes);
        auto first = lines.next();
        while (first && !first->oversized && is_blank(first->text)) first = lines.next();
        if (first && !first->oversized && opens_document(first->text)) return read_document_file(path);
        if (first) read_input_line(lines, *first);
        read_lines(lines);
    }

    void read_text(std::string_view text) {
        // A whole EventList (kubectl get events -o json) when the first non-blank line is not a
        // JSON value of its own; otherwise JSON lines.
        const auto start = std::min(text.size(), text.find_first_not_of(" \t\r\n"));
        const auto first = text.substr(start, text.find('\n', start) - start);
        if (opens_document(first) && read_event_list_text(text)) return;
        for (std::size_t number = 1; !text.empty(); ++number) {
            const auto nl = text.find('\n');
            const auto line = text.substr(0, nl);
            if (line.size() <= limits_.max_line_bytes) {
                read_line(line);
            } else {
                ++counts.lines;
                ++counts.oversized_lines;
                note("text line " + std::to_string(number) + ": longer than " + std::to_string(limits_.max_line_bytes) +
                     " bytes, skipped");
            }
            if (nl == std::string_view::npos) break;
            text.remove_prefix(nl + 1);
        }
    }

private:
    void read_lines(line_reader& lines) {
        while (const auto line = lines.next()) read_input_line(lines, *line);
        if (lines.error().empty()) return;
        ++(lines.read_anything() ? counts.damaged_files : counts.unreadable_files);
        note(lines.error_note());
    }

    void read_input_line(const line_reader& lines, const input_line& line) {
        if (!line.oversized) return read_line(line.text);
        ++counts.lines;
        ++counts.oversized_lines;
        note(lines.oversized_note(line));
    }

    // An EventList; if the file turns out not to be one after all, its lines.
    void read_document_file(const std::filesystem::path& path) {
        {
            const auto file = read_input_file(path, limits_.max_document_bytes);
            if (!file.text) {
                ++counts.unreadable_files;
                note("file " + path.string() + ": " + file.error);
                return;
            }
            if (read_event_list_text(*file.text)) return;
        }  // not an EventList: its text is freed before the lines are read again
        line_reader lines(path, limits_.max_line_bytes);
        read_lines(lines);
    }

    bool read_event_list_text(std::string_view text) {
        const auto items = read_event_list(text, [&](const std::optional<event_fields>& event) {
            ++counts.lines;
            if (event) keep(*event);
            else ++counts.not_events;
        });
        return items.has_value();
    }

    void read_line(std::string_view line) {
        if (is_blank(line)) return;
        ++counts.lines;
        if (auto event = read_event_fields(line)) keep(std::move(*event));
        else ++counts.not_json;
    }

    void keep(event_fields event) {
        if (event.reason.empty()) ++counts.not_events;  // JSON without a reason: the exporter's own logs
        else events.push_back(std::move(event));
    }

    void note(std::string error) {
        if (notes.size() < max_event_errors_kept) notes.push_back(std::move(error));
    }

    input_limits limits_;
};

std::size_t k8s_event_importer::add_paths(const std::vector<std::string>& paths, std::string_view pattern,
                                          const label_set& fixed) {
    std::size_t unlabelled = 0;
    std::vector<std::pair<std::filesystem::path, label_set>> files;
    for (const auto& file : event_files(paths)) {
        auto labels = fixed;
        if (!pattern.empty()) {
            if (auto from_path = labels_from_path(pattern, file)) labels.insert(from_path->begin(), from_path->end());
            else ++unlabelled;
        }
        files.emplace_back(file, std::move(labels));
    }
    // Files are read on every usable core and absorbed in the order given: the result is the
    // same as reading them one by one, and memory holds a few files' events at a time.
    const auto threads = parallel_files(limits_.max_document_bytes);
    std::vector<std::optional<event_file_reader>> readers(files.size());
    for_each_ordered(
        files.size(), threads, 2 * threads,
        [&](std::size_t i) {
            readers[i].emplace(limits_);
            readers[i]->read_file(files[i].first);
        },
        [&](std::size_t i) {
            absorb(*readers[i], files[i].second);
            readers[i].reset();
        });
    return unlabelled;
}

void k8s_event_importer::add_file(const std::filesystem::path& path, const label_set& labels) {
    event_file_reader reader(limits_);
    reader.read_file(path);
    absorb(reader, labels);
}

void k8s_event_importer::add_text(std::string_view text, const label_set& labels) {
    event_file_reader reader(limits_);
    reader.read_text(text);
    absorb(reader, labels);
}

void k8s_event_importer::absorb(event_file_reader& reader, const label_set& labels) {
    const auto& c = reader.counts;
    counts_.files += c.files;
    counts_.lines += c.lines;
    counts_.unreadable_files += c.unreadable_files;
    counts_.damaged_files += c.damaged_files;
    counts_.oversized_lines += c.oversized_lines;
    counts_.not_json += c.not_json;
    counts_.not_events += c.not_events;
    for (auto& n : reader.notes)
        if (errors_.size() < max_event_errors_kept) errors_.push_back(std::move(n));
    for (const auto& event : reader.events) add_event(event, labels);
}

void k8s_event_importer::add_event(const event_fields& event, const label_set& labels) {
    const auto& reason = event.reason;
    if (reason.empty()) {
        ++counts_.not_events;
        return;
    }
    ++counts_.events;
    const auto& uid = event.uid;
    if (!uid.empty() && !seen_uids_.insert(uid).second) {
        ++counts_.duplicates;
        return;
    }
    if (reason != "Pulling" && reason != "Pulled") return;
    const auto message = parse_kubelet_message(reason, event.message);
    if (!message) {
        ++counts_.unparsed_messages;
        return;
    }
    const auto& time_text = !event.last_timestamp.empty() ? event.last_timestamp
                            : !event.event_time.empty()   ? event.event_time
                                                          : event.first_timestamp;
    const auto time_s = parse_rfc3339(time_text).value_or(0);
    const auto pod = event.object_namespace + "/" + event.object_name;
    const auto container = container_of(event.field_path);
    const auto key = pod + "|" + container + "|" + message->image;
    if (message->what == kubelet_pull_message::kind::pulling) {
        ++counts_.pulling;
        pulling_since_[key] = time_s;
        return;
    }
    pull_observation p;
    p.uid = uid;
    p.image = message->image;
    p.node = event.source_host.empty() ? event.reporting_instance : event.source_host;
    p.pod = pod;
    p.container = container;
    p.time_s = time_s;
    p.already_present = message->what == kubelet_pull_message::kind::already_present;
    p.seconds = message->seconds;
    p.seconds_with_waiting = message->seconds_with_waiting;
    p.image_bytes = message->image_bytes;
    if (!p.already_present && !p.seconds)
        if (const auto it = pulling_since_.find(key); it != pulling_since_.end() && time_s >= it->second)
            p.seconds = static_cast<double>(time_s - it->second);  // kubelets that do not say how long
    p.labels = labels;
    ++(p.already_present ? counts_.already_present : counts_.pulled);
    pulls_.push_back(std::move(p));
}

}  // namespace strata::analytics

// trace_import: traces from strata's event log, from kubelet pulls with manifests, and from CSV.
#include "analytics/simulator/trace.hpp"

#include "storage/oci/digest.hpp"
#include "storage/events/event_log.hpp"

#include <charconv>
#include <cstdlib>

namespace strata::analytics {
namespace {

constexpr std::size_t max_errors_kept = 20;

// registry/repository:tag and digest -> the catalog's image, linux/amd64 preferred.
class image_index {
public:
    explicit image_index(const image_catalog& catalog) {
        for (const auto& img : catalog.images()) {
            const auto repo = img.registry + '/' + img.repository;
            if (!img.tag.empty()) put(repo + ':' + img.tag, img);
            if (!img.digest.empty()) put(img.digest, img);
        }
    }
    const image* find(const normalised_ref& ref) const {
        if (!ref.digest.empty())
            if (const auto it = by_key_.find(ref.digest); it != by_key_.end()) return it->second;
        const auto it = by_key_.find(ref.repository + ':' + ref.tag);
        return it == by_key_.end() ? nullptr : it->second;
    }

private:
    void put(const std::string& key, const image& img) {
        auto& slot = by_key_[key];
        if (!slot || (slot->platform != "linux/amd64" && img.platform == "linux/amd64")) slot = &img;
    }
    std::unordered_map<std::string, const image*> by_key_;
};

std::vector<std::uint32_t> objects_of(trace_builder& b, const image& img) {
    std::vector<std::uint32_t> out;
    if (!img.config.digest.empty()) out.push_back(b.object(img.config.digest, img.config.size));
    for (const auto& l : img.layers) {
        const auto id = b.object(l.digest, l.size);
        if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    }
    return out;
}

void note(trace& t, std::size_t line, const std::string& what) {
    ++t.bad_lines;
    if (t.errors.size() < max_errors_kept) t.errors.push_back("line " + std::to_string(line) + ": " + what);
}

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> out;
    while (true) {
        const auto comma = line.find(',');
        out.push_back(line.substr(0, comma));
        if (comma == std::string_view::npos) return out;
        line.remove_prefix(comma + 1);
    }
}

std::optional<double> parse_time(std::string_view text) {
    if (const auto t = parse_rfc3339(text)) return static_cast<double>(*t);
    const std::string s(text);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return v;
}

}  // namespace

trace trace_from_event_logs(const std::vector<const storage::event_log*>& logs, std::int64_t since_ns,
                            std::int64_t until_ns) {
    trace_builder b;
    for (const auto* log : logs)
        log->scan(since_ns, until_ns, [&](const storage::pull_event& e) {
            if (e.kind != "blob" || e.method != "GET" || e.http_status < 200 || e.http_status >= 300) return true;
            trace_request r;
            r.time_s = static_cast<double>(e.ts_ns) / 1e9;
            r.node = b.node(e.node);
            r.object = b.object(e.digest, e.object_size);
            r.registry = b.registry(e.upstream);
            b.add(r);
            return true;
        });
    return b.finish();  // sorted by time: the logs interleave
}

trace trace_from_event_log(const storage::event_log& log, std::int64_t since_ns, std::int64_t until_ns) {
    return trace_from_event_logs({&log}, since_ns, until_ns);
}

trace trace_from_pulls(const std::vector<pull_observation>& pulls, const image_catalog& catalog) {
    const image_index index(catalog);
    trace_builder b;
    for (const auto& p : pulls) {
        const auto* img = index.find(normalise_ref(p.image));
        if (!img) {
            auto& t = b.get();
            ++t.unknown_images;
            if (t.unknown_names.size() < max_errors_kept &&
                std::find(t.unknown_names.begin(), t.unknown_names.end(), p.image) == t.unknown_names.end())
                t.unknown_names.push_back(p.image);
            continue;
        }
        const auto objects = objects_of(b, *img);
        const auto image = b.image(img->name(), objects);
        const auto node = b.node(p.node, p.labels);
        const auto registry = b.registry(img->registry);
        for (const auto o : objects)
            b.add({static_cast<double>(p.time_s), 0, node, o, image, registry, p.already_present});
    }
    return b.finish();
}

trace trace_from_csv(std::string_view text) {
    trace_builder b;
    std::size_t line_no = 0;
    bool header = false;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        if (!header) {
            if (line != "time,node,digest,size" && line != "time,node,digest,size,registry")
                throw std::invalid_argument("trace CSV: the first line must be the header time,node,digest,size[,registry]");
            header = true;
            continue;
        }
        const auto f = split_fields(line);
        if (f.size() != 4 && f.size() != 5) {
            note(b.get(), line_no, "expected 4 or 5 fields");
            continue;
        }
        const auto time = parse_time(f[0]);
        const auto size = parse_size(f[3]);
        if (!time) note(b.get(), line_no, "time is neither seconds nor RFC 3339");
        else if (f[1].empty()) note(b.get(), line_no, "empty node");
        else if (!storage::digest::parse(f[2])) note(b.get(), line_no, "digest is not sha256:<64 hex> or sha512:<128 hex>");
        else if (!size) note(b.get(), line_no, "size is not an unsigned 64-bit integer");
        else {
            trace_request r;
            r.time_s = *time;
            r.node = b.node(std::string(f[1]));
            r.object = b.object(std::string(f[2]), *size);
            r.registry = b.registry(f.size() == 5 && !f[4].empty() ? std::string(f[4]) : "upstream");
            b.add(r);
        }
    }
    if (!header) throw std::invalid_argument("trace CSV: empty; the first line must be the header time,node,digest,size");
    return b.finish();
}

}  // namespace strata::analytics

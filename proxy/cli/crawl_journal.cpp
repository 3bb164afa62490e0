// crawl_journal: a bounded line scan on open, appends under a mutex, grouped re-reads by offset.
#include "proxy/cli/crawl_journal.hpp"

#include "analytics/inputs/json_input.hpp"

#include <optional>

namespace strata::proxy {
namespace {

namespace fs = std::filesystem;

// Two documents of at most 16 MiB each (the crawl's own limit) and their names.
constexpr std::size_t max_line_bytes = std::size_t{40} << 20;

// Calls f(offset, line, complete) for each line of in; a line longer than max_line_bytes is
// passed empty. complete is false for a last line without its '\n'.
template <typename F>
void scan_lines(std::istream& in, F f) {
    std::vector<char> buf(std::size_t{1} << 16);
    std::string line;
    std::uint64_t offset = 0, start = 0;
    bool oversized = false;
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
        for (std::streamsize i = 0; i < in.gcount(); ++i, ++offset) {
            if (buf[i] != '\n') {
                if (line.size() < max_line_bytes) line.push_back(buf[i]);
                else oversized = true;
                continue;
            }
            f(start, oversized ? std::string() : line, true);
            line.clear(), oversized = false, start = offset + 1;
        }
    }
    if (offset > start) f(start, oversized ? std::string() : line, false);
}

std::string repository_path(const journal_entry& e) { return e.registry + '/' + e.repository; }

}  // namespace

std::optional<journal_entry> parse_journal_line(std::string_view line) {
    const auto j = analytics::parse_json_guarded(line);
    if (!j.is_object()) return std::nullopt;
    journal_entry e;
    for (auto [field, key] : {std::pair{&e.ref, "ref"}, {&e.registry, "registry"}, {&e.repository, "repository"},
                              {&e.tag, "tag"}, {&e.digest, "digest"}}) {
        const auto it = j.find(key);
        if (it == j.end() || !it->is_string()) return std::nullopt;
        *field = it->get<std::string>();
    }
    const auto m = j.find("manifest"), c = j.find("config");
    if (m == j.end() || !m->is_object() || c == j.end() || !c->is_object() || e.ref.empty() || e.repository.empty())
        return std::nullopt;
    e.manifest = *m;
    e.config = *c;
    return e;
}

std::string journal_line(const journal_entry& e) {
    const nlohmann::json j = {{"ref", e.ref},         {"registry", e.registry}, {"repository", e.repository},
                              {"tag", e.tag},         {"digest", e.digest},     {"manifest", e.manifest},
                              {"config", e.config}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

crawl_journal::crawl_journal(const fs::path& dir) : file_(file_in(dir)) {
    fs::create_directories(dir);
    read_existing();
    out_.open(file_, std::ios::binary | std::ios::app);
    if (!out_) throw std::runtime_error("cannot write " + file_.string());
}

void crawl_journal::read_existing() {
    std::ifstream in(file_, std::ios::binary);
    if (!in) return;  // a first crawl into this directory
    bool partial = false;
    scan_lines(in, [&](std::uint64_t offset, const std::string& line, bool complete) {
        const auto e = complete ? parse_journal_line(line) : std::nullopt;
        if (complete) end_ = offset + line.size() + 1;
        else partial = true;
        if (!e) return void(++damaged_);
        refs_.insert(e->ref);
        by_repository_[repository_path(*e)].push_back({offset, line.size()});
    });
    if (in.bad()) throw std::runtime_error("cannot read " + file_.string());
    in.close();
    // A line cut short by a kill: drop it, so the next entry starts a line of its own.
    if (partial) fs::resize_file(file_, end_);
}

std::set<std::string> crawl_journal::refs_in(const fs::path& dir) {
    std::set<std::string> refs;
    std::ifstream in(file_in(dir), std::ios::binary);
    if (!in) return refs;
    scan_lines(in, [&](std::uint64_t, const std::string& line, bool complete) {
        if (const auto e = complete ? parse_journal_line(line) : std::nullopt) refs.insert(e->ref);
    });
    return refs;
}

bool crawl_journal::has(const std::string& ref) const {
    const std::lock_guard lock(mutex_);
    return refs_.contains(ref);
}

std::size_t crawl_journal::size() const {
    const std::lock_guard lock(mutex_);
    return refs_.size();
}

void crawl_journal::append(const journal_entry& e) {
    const auto line = journal_line(e);
    const std::lock_guard lock(mutex_);
    if (!(out_ << line << '\n' << std::flush)) throw std::runtime_error("cannot write " + file_.string());
    refs_.insert(e.ref);
    by_repository_[repository_path(e)].push_back({end_, line.size()});
    end_ += line.size() + 1;
}

void crawl_journal::for_each_repository(
    const std::function<void(const std::string&, std::vector<journal_entry>&)>& f) const {
    const std::lock_guard lock(mutex_);
    std::ifstream in(file_, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file_.string());
    for (const auto& [path, spans] : by_repository_) {
        std::vector<journal_entry> entries;
        for (const auto& s : spans) {
            std::string line(s.length, '\0');
            in.seekg(static_cast<std::streamoff>(s.offset));
            if (!in.read(line.data(), static_cast<std::streamsize>(s.length)))
                throw std::runtime_error("cannot read " + file_.string());
            if (auto e = parse_journal_line(line)) entries.push_back(std::move(*e));
        }
        f(path, entries);
    }
}

}  // namespace strata::proxy

// crawl_journal: a bounded line scan on open, appends under a mutex, grouped re-reads by offset.
#include "proxy/cli/crawl_journal.hpp"

#include "analytics/inputs/json_input.hpp"
#include "storage/oci/digest.hpp"
#include "storage/oci/reference.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <optional>

namespace strata::proxy {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t max_line_bytes = crawl_journal::max_line_bytes;
constexpr std::size_t max_ref_bytes = 1024;

// Calls f(offset, length, line, complete) for each line of in: length is the line's true
// length, line its text (empty when longer than max_line_bytes), complete false for a last line
// without its '\n'.
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
            f(start, offset - start, oversized ? std::string() : line, true);
            line.clear(), oversized = false, start = offset + 1;
        }
    }
    if (offset > start) f(start, offset - start, oversized ? std::string() : line, false);
}

bool valid_names(const journal_entry& e) {
    return !e.ref.empty() && e.ref.size() <= max_ref_bytes && storage::is_valid_registry_host(e.registry) &&
           storage::is_valid_repository(e.repository) && (e.tag.empty() || storage::is_valid_tag(e.tag)) &&
           (e.digest.empty() || storage::digest::parse(e.digest)) && (!e.tag.empty() || !e.digest.empty());
}

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
    if (m == j.end() || !m->is_object() || c == j.end() || !c->is_object() || !valid_names(e)) return std::nullopt;
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
    lock_fd_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) throw std::runtime_error("cannot write " + file_.string());
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(lock_fd_);
        throw std::runtime_error("another crawl is saving into " + dir.string() + " (" + file_.string() + " is locked)");
    }
    read_existing();
    out_.open(file_, std::ios::binary | std::ios::app);
    if (!out_) throw std::runtime_error("cannot write " + file_.string());
}

crawl_journal::~crawl_journal() {
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

void crawl_journal::read_existing() {
    std::ifstream in(file_, std::ios::binary);
    if (!in) return;  // a first crawl into this directory
    bool partial = false;
    scan_lines(in, [&](std::uint64_t offset, std::uint64_t length, const std::string& line, bool complete) {
        const auto e = complete ? parse_journal_line(line) : std::nullopt;
        if (complete) end_ = offset + length + 1;
        else partial = true;
        if (!e) return void(++damaged_);
        refs_.insert(e->ref);
        by_repository_[{e->registry, e->repository}].push_back({offset, length});
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
    scan_lines(in, [&](std::uint64_t, std::uint64_t, const std::string& line, bool complete) {
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
    auto line = journal_line(e);
    const auto length = line.size();
    if (length > max_line_bytes)
        throw std::runtime_error(e.ref + ": manifest and config take more than " + std::to_string(max_line_bytes) +
                                 " bytes in the journal");
    line.push_back('\n');  // one write: an entry and its end go together
    const std::lock_guard lock(mutex_);
    if (!out_.write(line.data(), static_cast<std::streamsize>(line.size())).flush())
        throw journal_error("cannot write " + file_.string());
    refs_.insert(e.ref);
    by_repository_[{e.registry, e.repository}].push_back({end_, length});
    end_ += line.size();
}

void crawl_journal::for_each_repository(
    const std::function<void(const std::string&, const std::string&, const entry_reader&)>& f) const {
    const std::lock_guard lock(mutex_);
    std::ifstream in(file_, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file_.string());
    for (const auto& [name, spans] : by_repository_) {
        const entry_reader each = [&](const std::function<void(journal_entry&)>& entry) {
            for (const auto& s : spans) {
                std::string line(s.length, '\0');
                in.seekg(static_cast<std::streamoff>(s.offset));
                if (!in.read(line.data(), static_cast<std::streamsize>(s.length)))
                    throw std::runtime_error("cannot read " + file_.string());
                if (auto e = parse_journal_line(line)) entry(*e);
            }
        };
        f(name.first, name.second, each);
    }
}

}  // namespace strata::proxy

// crawl_journal: what a crawl has finished, one JSON line per image in
// DIR/crawl-journal.jsonl, appended as each image completes: a killed crawl resumes where it
// stopped, and a later crawl can fetch only the tags an earlier one has not seen.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace strata::proxy {

// One finished image: the IMAGE it was asked as ("ghcr.io/org/app:1", "…@sha256:…"), the
// registry and repository its bundle goes under, the tag (or "" for a pull by digest), the
// platform manifest's digest, and the two documents.
struct journal_entry {
    std::string ref, registry, repository, tag, digest;
    nlohmann::json manifest, config;
};

// The journal cannot be written (a full disk, say): the crawl must stop, or it would spend
// pulls on images it then loses.
struct journal_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class crawl_journal {
public:
    // Reads DIR/crawl-journal.jsonl if there is one (creating DIR otherwise). A line that is not
    // a whole entry (the last one, when a crawl was killed while writing it) is skipped and
    // counted. Holds an exclusive lock on the journal while it lives: a second crawl into the same
    // DIR is refused. Throws std::runtime_error naming the file when it cannot be read, opened or
    // locked.
    explicit crawl_journal(const std::filesystem::path& dir);
    ~crawl_journal();
    crawl_journal(const crawl_journal&) = delete;
    crawl_journal& operator=(const crawl_journal&) = delete;

    // The refs a journal in dir holds (none when it has no journal): for --since.
    static std::set<std::string> refs_in(const std::filesystem::path& dir);

    bool has(const std::string& ref) const;
    std::size_t size() const;
    std::size_t damaged_lines() const noexcept { return damaged_; }

    // The longest line an entry may take (two 16 MiB documents, re-serialised, and their names).
    static constexpr std::size_t max_line_bytes = std::size_t{40} << 20;

    // Appends and flushes one line; thread-safe. Throws std::runtime_error for an entry longer
    // than max_line_bytes once written (nothing is written), journal_error when writing fails.
    void append(const journal_entry& e);

    // For each registry/repository, in name order: its entries, read one at a time (the whole
    // journal is never in memory at once). for_each calls entry(e) for each, in journal order.
    using entry_reader = std::function<void(const std::function<void(journal_entry&)>& entry)>;
    void for_each_repository(const std::function<void(const std::string& registry, const std::string& repository,
                                                      const entry_reader& each)>& f) const;

    static std::filesystem::path file_in(const std::filesystem::path& dir) { return dir / "crawl-journal.jsonl"; }

private:
    struct span {
        std::uint64_t offset = 0, length = 0;
    };
    void read_existing();

    std::filesystem::path file_;
    mutable std::mutex mutex_;
    std::set<std::string> refs_;
    std::map<std::pair<std::string, std::string>, std::vector<span>> by_repository_;
    std::uint64_t end_ = 0;  // where the next line goes
    std::size_t damaged_ = 0;
    std::ofstream out_;
    int lock_fd_ = -1;
};

// The entry in a journal line, or nullopt for a line that is not one: malformed, or naming a
// registry that is not a host name, a repository, tag or digest outside their grammars (the
// names become directories under DIR: "..", "/etc" and the like are refused).
std::optional<journal_entry> parse_journal_line(std::string_view line);
std::string journal_line(const journal_entry& e);  // without the '\n'

}  // namespace strata::proxy

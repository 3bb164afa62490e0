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

class crawl_journal {
public:
    // Reads DIR/crawl-journal.jsonl if there is one (creating DIR otherwise). A line that is not
    // a whole entry (the last one, when a crawl was killed while writing it) is skipped and
    // counted. Throws std::runtime_error naming the file when it cannot be read or opened.
    explicit crawl_journal(const std::filesystem::path& dir);

    // The refs a journal in dir holds (none when it has no journal): for --since.
    static std::set<std::string> refs_in(const std::filesystem::path& dir);

    bool has(const std::string& ref) const;
    std::size_t size() const;
    std::size_t damaged_lines() const noexcept { return damaged_; }

    // Appends and flushes one line; thread-safe. Throws std::runtime_error when it cannot.
    void append(const journal_entry& e);

    // Every entry, grouped by registry/repository, one group at a time (the whole journal is
    // never in memory at once).
    void for_each_repository(const std::function<void(const std::string& path, std::vector<journal_entry>&)>& f) const;

    static std::filesystem::path file_in(const std::filesystem::path& dir) { return dir / "crawl-journal.jsonl"; }

private:
    struct span {
        std::uint64_t offset = 0, length = 0;
    };
    void read_existing();

    std::filesystem::path file_;
    mutable std::mutex mutex_;
    std::set<std::string> refs_;
    std::map<std::string, std::vector<span>> by_repository_;
    std::uint64_t end_ = 0;  // where the next line goes
    std::size_t damaged_ = 0;
    std::ofstream out_;
};

// The entry in a journal line, or nullopt for a line that is not one.
std::optional<journal_entry> parse_journal_line(std::string_view line);
std::string journal_line(const journal_entry& e);  // without the '\n'

}  // namespace strata::proxy

// Tests of line_reader: lines across chunk and gzip member boundaries, the last line, the
// per-line cap (exactly at it, over it), damage, and gzip bombs (one huge line, 100 MiB of
// newlines) read in bounded memory.
#include "analytics/inputs/line_reader.hpp"

#include "hostile_files.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace strata::analytics;
using strata::test::gzip_bomb;
using strata::test::gzip_bytes;
using strata::test::temp_dir;
using strata::test::write_bytes;

namespace {

struct read_result {
    std::vector<std::string> lines;  // "<oversized>" for a skipped line
    std::vector<std::size_t> numbers;
    std::string error;
};

read_result read_all(const std::filesystem::path& path, std::size_t max_line_bytes) {
    line_reader reader(path, max_line_bytes);
    read_result r;
    while (const auto line = reader.next()) {
        r.lines.push_back(line->oversized ? "<oversized>" : std::string(line->text));
        r.numbers.push_back(line->number);
    }
    r.error = reader.error();
    return r;
}

// Lines of lengths chosen to end just before, at and after the 64 KiB chunk boundaries.
std::vector<std::string> awkward_lines() {
    std::vector<std::string> lines;
    for (const std::size_t n : {0, 1, 65534, 0, 65535, 65536, 3, 200'000, 0, 17})
        lines.push_back(std::string(n, static_cast<char>('a' + lines.size())));
    return lines;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
}

}  // namespace

TEST_CASE("lines come back whole across chunks and gzip members") {
    temp_dir t;
    const auto lines = awkward_lines();
    const auto text = joined(lines);
    write_bytes(t.path / "plain", text);
    write_bytes(t.path / "one.gz", gzip_bytes(text));
    write_bytes(t.path / "split.gz", gzip_bytes(text.substr(0, 70'000)) + gzip_bytes(text.substr(70'000)));
    for (const char* name : {"plain", "one.gz", "split.gz"}) {
        INFO(name);
        const auto r = read_all(t.path / name, 1 << 20);
        CHECK(r.lines == lines);
        CHECK(r.numbers == std::vector<std::size_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        CHECK(r.error.empty());
    }
}

TEST_CASE("the last line needs no newline; an empty file has no lines") {
    temp_dir t;
    write_bytes(t.path / "no-newline", "a\nb");
    CHECK(read_all(t.path / "no-newline", 10).lines == std::vector<std::string>{"a", "b"});
    write_bytes(t.path / "crlf", "a\r\n\r\n");
    CHECK(read_all(t.path / "crlf", 10).lines == std::vector<std::string>{"a\r", "\r"});
    write_bytes(t.path / "newline", "\n");
    CHECK(read_all(t.path / "newline", 10).lines == std::vector<std::string>{""});
    write_bytes(t.path / "empty", "");
    CHECK(read_all(t.path / "empty", 10).lines.empty());
}

TEST_CASE("a line over the cap is skipped with its number; one at the cap is kept") {
    temp_dir t;
    const std::vector<std::string> lines{"first", std::string(100, 'x'), std::string(101, 'y'), "last"};
    write_bytes(t.path / "capped.gz", gzip_bytes(joined(lines) + std::string(300'000, 'z')));
    line_reader reader(t.path / "capped.gz", 100);
    std::vector<std::string> seen;
    while (const auto line = reader.next()) {
        if (line->oversized) seen.push_back(reader.oversized_note(*line));
        else seen.emplace_back(line->text);
    }
    const auto file = (t.path / "capped.gz").string();
    CHECK(seen == std::vector<std::string>{"first", std::string(100, 'x'),
                                           "file " + file + " line 3: longer than 100 bytes, skipped", "last",
                                           "file " + file + " line 5: longer than 100 bytes, skipped"});
    CHECK(reader.error().empty());
}

TEST_CASE("a damaged file gives the lines before the damage, then says why") {
    temp_dir t;
    const auto text = joined(awkward_lines());
    write_bytes(t.path / "after.gz", gzip_bytes(text) + "trailing junk");
    auto r = read_all(t.path / "after.gz", 1 << 20);
    CHECK(r.lines == awkward_lines());
    CHECK(r.error == "data after the end of the gzip stream");
    line_reader missing(t.path / "missing", 10);
    CHECK_FALSE(missing.next());
    CHECK(missing.error_note() == "file " + (t.path / "missing").string() + ": cannot open: No such file or directory");
    CHECK_FALSE(missing.read_anything());
}

TEST_CASE("a 100 MiB one-line gzip bomb is skipped in bounded memory") {
    temp_dir t;
    const auto gz = gzip_bomb("{\"reason\":\"", 'A', std::size_t{100} << 20);
    REQUIRE(gz.size() < (std::size_t{1} << 20));
    write_bytes(t.path / "bomb.gz", gz + gzip_bytes("\n{}\n"));
    read_result r;
    const auto growth = strata::test::peak_rss_growth([&] { r = read_all(t.path / "bomb.gz", 16 << 20); });
    CHECK(r.lines == std::vector<std::string>{"<oversized>", "{}"});
    CHECK(r.error.empty());
    CHECK(growth < strata::test::rss_growth_limit);
}

TEST_CASE("100 MiB of newlines in a gzip read as empty lines in bounded memory") {
    temp_dir t;
    const std::size_t bomb = std::size_t{100} << 20;
    const auto gz = gzip_bomb("", '\n', bomb);
    REQUIRE(gz.size() < (std::size_t{1} << 20));
    write_bytes(t.path / "newlines.gz", gz);
    std::size_t lines = 0, non_empty = 0;
    const auto growth = strata::test::peak_rss_growth([&] {
        line_reader reader(t.path / "newlines.gz", 16 << 20);
        while (const auto line = reader.next()) {
            ++lines;
            if (!line->text.empty() || line->oversized) ++non_empty;
        }
    });
    CHECK(lines == bomb);
    CHECK(non_empty == 0);
    CHECK(growth < strata::test::rss_growth_limit);
}

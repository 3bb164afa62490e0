// The crawl journal: append, resume, a line cut by a kill, grouping by repository, hostile lines.
#include "proxy/cli/crawl_journal.hpp"

#include "tests/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace strata::proxy;

namespace {

journal_entry entry(const std::string& repo, const std::string& tag) {
    return {"r.io/" + repo + ":" + tag, "r.io", repo, tag, "sha256:" + std::string(64, 'a'),
            {{"schemaVersion", 2}}, {{"architecture", "amd64"}}};
}

std::string contents(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("a journal resumes with what was appended, grouped by repository") {
    strata::test::temp_dir dir;
    {
        crawl_journal j(dir.path / "saved");
        CHECK(j.size() == 0);
        j.append(entry("a", "1"));
        j.append(entry("b", "1"));
        j.append(entry("a", "2"));
    }
    crawl_journal again(dir.path / "saved");
    CHECK(again.size() == 3);
    CHECK(again.has("r.io/a:2"));
    CHECK_FALSE(again.has("r.io/a:3"));
    again.append(entry("a", "3"));
    std::map<std::string, std::vector<std::string>> groups;
    again.for_each_repository([&](const std::string& registry, const std::string& repository,
                                  const crawl_journal::entry_reader& each) {
        each([&](journal_entry& e) { groups[registry + "/" + repository].push_back(e.tag); });
    });
    CHECK(groups == std::map<std::string, std::vector<std::string>>{{"r.io/a", {"1", "2", "3"}}, {"r.io/b", {"1"}}});
    CHECK(crawl_journal::refs_in(dir.path / "saved").size() == 4);
    CHECK(crawl_journal::refs_in(dir.path / "nowhere").empty());
}

TEST_CASE("a line cut short by a kill is dropped, and the next entry starts a line of its own") {
    strata::test::temp_dir dir;
    const auto file = crawl_journal::file_in(dir.path);
    { crawl_journal(dir.path).append(entry("a", "1")); }
    const auto good = contents(file);
    std::ofstream(file, std::ios::app) << journal_line(entry("a", "2")).substr(0, 40);
    {
        crawl_journal j(dir.path);
        CHECK(j.damaged_lines() == 1);
        CHECK(contents(file) == good);
        j.append(entry("a", "3"));
    }
    crawl_journal again(dir.path);
    CHECK(again.damaged_lines() == 0);
    CHECK(again.size() == 2);
}

TEST_CASE("entries naming a path outside the directory are not entries") {
    strata::test::temp_dir dir;
    auto escape = entry("a", "1");
    escape.registry = "";
    escape.repository = "/etc/cron.d";
    auto climb = entry("a", "2");
    climb.registry = "../../..";
    auto upper = entry("A", "3");
    auto nothing = entry("a", "4");
    nothing.tag = nothing.digest = "";
    for (const auto& e : {escape, climb, upper, nothing}) CHECK_FALSE(parse_journal_line(journal_line(e)));
    CHECK(parse_journal_line(journal_line(entry("a", "5"))));
}

TEST_CASE("a second crawl into the same directory is refused while the first runs") {
    strata::test::temp_dir dir;
    crawl_journal first(dir.path);
    CHECK_THROWS_WITH(crawl_journal(dir.path), "another crawl is saving into " + dir.path.string() + " (" +
                                                   crawl_journal::file_in(dir.path).string() + " is locked)");
}

TEST_CASE("an entry too long for a journal line is refused, and nothing is written") {
    strata::test::temp_dir dir;
    crawl_journal j(dir.path);
    auto big = entry("a", "1");
    big.config = {{"padding", std::string(crawl_journal::max_line_bytes, 'x')}};
    CHECK_THROWS_AS(j.append(big), std::runtime_error);
    CHECK(j.size() == 0);
    CHECK(contents(crawl_journal::file_in(dir.path)).empty());
}

TEST_CASE("lines that are not entries are counted and skipped") {
    strata::test::temp_dir dir;
    std::ofstream(crawl_journal::file_in(dir.path))
        << "not json\n"
        << "{\"ref\": 1}\n"
        << std::string(100, '[') << "\n"
        << "{\"ref\":\"x\",\"registry\":\"r\",\"repository\":\"\",\"tag\":\"\",\"digest\":\"\",\"manifest\":{},\"config\":{}}\n"
        << journal_line(entry("ok", "1")) << "\n";
    crawl_journal j(dir.path);
    CHECK(j.damaged_lines() == 4);
    CHECK(j.size() == 1);
    CHECK(parse_journal_line(journal_line(entry("ok", "1")))->repository == "ok");
}

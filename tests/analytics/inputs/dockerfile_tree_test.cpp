// Finding Dockerfiles in cloned repositories: names, repositories, links, depth.
#include "analytics/inputs/dockerfile_tree.hpp"

#include "tests/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

using namespace strata::analytics;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, const std::string& text = "FROM alpine\n") {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

std::vector<std::string> found(const dockerfile_tree& t) {
    std::vector<std::string> out;
    for (const auto& f : t.files) out.push_back(f.repository + " " + f.path_in_repository);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("Dockerfile names, in any case, and not their documentation") {
    for (const char* yes : {"Dockerfile", "dockerfile", "Containerfile", "cpu.Dockerfile", "gpu.containerfile",
                            "Dockerfile.gpu", "Dockerfile.cuda12", "DOCKERFILE"})
        CHECK(is_dockerfile_name(yes));
    for (const char* no : {"Dockerfile.md", "Dockerfile.j2", "Dockerfile.in", "dockerfile.TXT", ".dockerfile",
                           "Dockerfiles", "Dockerfile-gpu", "my-dockerfile", ".dockerignore", "Dockerfile."})
        CHECK_FALSE(is_dockerfile_name(no));
}

TEST_CASE("repositories are the directories holding .git") {
    strata::test::temp_dir dir;
    fs::create_directories(dir.path / "org/app/.git");
    fs::create_directories(dir.path / "org/empty/.git");
    write_file(dir.path / "org/app/Dockerfile");
    write_file(dir.path / "org/app/docker/gpu.Dockerfile");
    write_file(dir.path / "org/app/vendor/sub/.git", "gitdir: ../../.git/modules/sub\n");  // a submodule
    write_file(dir.path / "org/app/vendor/sub/Containerfile");
    write_file(dir.path / "loose/Dockerfile");
    const auto t = find_dockerfiles({dir.path});
    const auto root = dir.path.filename().string();  // holds the Dockerfile outside every repository
    CHECK(t.repositories == std::vector<std::string>{"org/app", "org/app/vendor/sub", "org/empty", root});
    CHECK(found(t) == std::vector<std::string>{"org/app Dockerfile", "org/app docker/gpu.Dockerfile",
                                               "org/app/vendor/sub Containerfile", root + " loose/Dockerfile"});
}

TEST_CASE("without any .git, each directory under the root is a repository") {
    strata::test::temp_dir dir;
    write_file(dir.path / "a/deep/er/Dockerfile");
    fs::create_directories(dir.path / "b");
    write_file(dir.path / "Dockerfile");
    const auto t = find_dockerfiles({dir.path});
    CHECK(found(t) == std::vector<std::string>{"a deep/er/Dockerfile", dir.path.filename().string() + " Dockerfile"});
    CHECK(std::count(t.repositories.begin(), t.repositories.end(), "b") == 1);
}

TEST_CASE("symbolic links are never followed, and bad roots are named") {
    strata::test::temp_dir dir, outside;
    write_file(outside.path / "secret/Dockerfile");
    fs::create_directories(dir.path / "repo/.git");
    fs::create_directory_symlink(outside.path / "secret", dir.path / "repo/linked");
    fs::create_symlink("/etc/passwd", dir.path / "repo/Dockerfile");
    fs::create_directory_symlink(dir.path, dir.path / "repo/loop");
    const auto t = find_dockerfiles({dir.path, dir.path / "missing"});
    CHECK(t.files.empty());
    CHECK(t.skipped_links == 1);
    REQUIRE(t.problems.size() == 1);
    CHECK(t.problems[0] == (dir.path / "missing").string() + ": not a directory");
}

TEST_CASE("files are read without following links or blocking on a FIFO") {
    strata::test::temp_dir dir;
    write_file(dir.path / "Dockerfile", "FROM alpine\n");
    fs::create_symlink("/etc/passwd", dir.path / "link");
    REQUIRE(::mkfifo((dir.path / "fifo").c_str(), 0600) == 0);
    CHECK(read_regular_file(dir.path / "Dockerfile", 100).text == "FROM alpine\n");
    CHECK(read_regular_file(dir.path / "Dockerfile", 5).error == "larger than 5 bytes");
    CHECK(read_regular_file(dir.path / "link", 100).error.starts_with("cannot open: "));
    CHECK(read_regular_file(dir.path / "fifo", 100).error == "not a regular file");
    CHECK(read_regular_file(dir.path / "missing", 100).error == "cannot open: No such file or directory");
}

TEST_CASE("a tree deeper than 64 directories is cut there") {
    strata::test::temp_dir dir;
    fs::path deep = dir.path / "repo";
    for (int i = 0; i < 70; ++i) deep /= "d";
    write_file(deep / "Dockerfile");
    write_file(dir.path / "repo/Dockerfile");
    const auto t = find_dockerfiles({dir.path});
    CHECK(found(t) == std::vector<std::string>{"repo Dockerfile"});
}

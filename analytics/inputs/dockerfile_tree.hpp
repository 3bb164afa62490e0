// dockerfile_tree: finds the Dockerfiles in trees of cloned repositories, and the repositories
// they belong to, without following symbolic links.
#pragma once

#include "analytics/inputs/input_stream.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace strata::analytics {

// Dockerfile, Containerfile, NAME.dockerfile, NAME.containerfile, and Dockerfile.NAME /
// Containerfile.NAME (as in Dockerfile.gpu), in any letter case; not Dockerfile.md and the
// like (.md .rst .txt .orig .rej .bak .swp .j2 .tmpl .template .in), which are not built.
bool is_dockerfile_name(std::string_view file_name);

struct found_dockerfile {
    std::string repository;           // the repository's path below its root ("org/repo")
    std::filesystem::path path;       // to open
    std::string path_in_repository;   // "docker/Dockerfile.gpu"
};

struct dockerfile_tree {
    std::vector<std::string> repositories;  // every repository found, with or without Dockerfiles
    std::vector<found_dockerfile> files;
    std::vector<std::string> problems;      // unreadable roots and directories (at most 100)
    std::size_t skipped_links = 0;          // Dockerfile names that are symbolic links
};

// Walks each root (never following symbolic links, at most 64 directories deep, at most
// 1,000,000 Dockerfiles per root). A directory that cannot be read is named in problems and
// the walk goes on. Files are listed in path order.
// A repository is a directory holding `.git`. In a root with no `.git` anywhere, each
// directory directly under the root is a repository; a Dockerfile outside every repository
// belongs to the root itself.
dockerfile_tree find_dockerfiles(const std::vector<std::filesystem::path>& roots);

// A regular file's bytes, up to max_bytes, opened without following a symbolic link and
// without blocking on a FIFO (a tree can change between the walk and the read); otherwise why
// not ("not a regular file", "larger than N bytes", "cannot open: …"). Never throws.
file_text read_regular_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace strata::analytics

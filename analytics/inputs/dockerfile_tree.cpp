// dockerfile_tree: one directory walk per root, then each Dockerfile matched to its repository.
#include "analytics/inputs/dockerfile_tree.hpp"

#include "analytics/inputs/dockerfile_text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

namespace strata::analytics {
namespace {

namespace fs = std::filesystem;

constexpr int max_depth = 64;
constexpr std::size_t max_problems = 100;
constexpr std::size_t max_files_per_root = 1'000'000;

struct root_walk {
    std::set<std::string> git_dirs;  // relative paths of directories holding .git ("." for the root)
    std::set<std::string> top_dirs;  // directories directly under the root
    std::vector<std::string> files;  // relative paths of Dockerfiles, sorted once the walk ends
};

void note_problem(dockerfile_tree& out, std::string text) {
    if (out.problems.size() < max_problems) out.problems.push_back(std::move(text));
}

// One entry of a directory being walked: .git marks a repository, a Dockerfile is kept, a
// directory is queued (never through a symbolic link).
void visit(const fs::directory_entry& entry, const fs::path& root, int depth, root_walk& walk,
           std::vector<std::pair<fs::path, int>>& queue, dockerfile_tree& out) {
    std::error_code ec;
    const auto name = entry.path().filename().string();
    const auto rel = entry.path().lexically_relative(root);
    if (name == ".git") {
        walk.git_dirs.insert(rel.parent_path().empty() ? "." : rel.parent_path().generic_string());
        return;  // its contents are git's, not the repository's
    }
    if (entry.is_symlink(ec)) {
        if (is_dockerfile_name(name)) ++out.skipped_links;
        return;
    }
    if (entry.is_directory(ec)) {
        if (depth == 0) walk.top_dirs.insert(rel.generic_string());
        if (depth + 1 < max_depth) queue.emplace_back(entry.path(), depth + 1);
        return;
    }
    if (!entry.is_regular_file(ec) || !is_dockerfile_name(name)) return;
    if (walk.files.size() >= max_files_per_root) {
        if (walk.files.size() == max_files_per_root)
            note_problem(out, root.string() + ": more than " + std::to_string(max_files_per_root) + " Dockerfiles; the rest skipped");
        return;
    }
    walk.files.push_back(rel.generic_string());
}

// Every directory under root, each read on its own: one that cannot be read (removed, swapped
// for a link, unreadable) is named and the walk goes on.
void walk_root(const fs::path& root, root_walk& walk, dockerfile_tree& out) {
    std::vector<std::pair<fs::path, int>> queue{{root, 0}};
    while (!queue.empty()) {
        const auto [dir, depth] = queue.back();
        queue.pop_back();
        std::error_code ec;
        fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
        for (; !ec && it != fs::directory_iterator(); it.increment(ec)) visit(*it, root, depth, walk, queue, out);
        if (ec) note_problem(out, "cannot read " + dir.string() + ": " + ec.message());
    }
    std::sort(walk.files.begin(), walk.files.end());
}

// The repository a file belongs to: its nearest ancestor holding .git; with no .git in the
// root, the top directory it is under; else the root itself (".").
std::string repository_of(const std::string& file, const root_walk& walk) {
    fs::path dir = fs::path(file).parent_path();
    if (!walk.git_dirs.empty()) {
        for (; !dir.empty(); dir = dir.parent_path())
            if (walk.git_dirs.contains(dir.generic_string())) return dir.generic_string();
        return ".";
    }
    const auto first = dir.begin();
    return first == dir.end() ? "." : first->generic_string();
}

std::string label(const fs::path& root, const std::string& rel, bool several_roots) {
    if (!several_roots) return rel == "." ? root.filename().generic_string() : rel;
    return rel == "." ? root.generic_string() : (root / rel).generic_string();
}

void add_root(const fs::path& root, bool several_roots, dockerfile_tree& out) {
    root_walk walk;
    walk_root(root, walk, out);
    const auto& repos = walk.git_dirs.empty() ? walk.top_dirs : walk.git_dirs;
    for (const auto& r : repos) out.repositories.push_back(label(root, r, several_roots));
    for (const auto& f : walk.files) {
        const auto repo = repository_of(f, walk);
        if (!repos.contains(repo)) out.repositories.push_back(label(root, repo, several_roots));
        const auto in_repo = repo == "." ? f : fs::path(f).lexically_relative(repo).generic_string();
        out.files.push_back({label(root, repo, several_roots), root / f, in_repo});
    }
}

}  // namespace

file_text read_regular_file(const fs::path& path, std::size_t max_bytes) {
    file_text out;
    // O_NOFOLLOW: a file swapped for a link since the walk is refused; O_NONBLOCK: so is a FIFO.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        out.error = std::string("cannot open: ") + std::strerror(errno);
        return out;
    }
    struct stat st {};
    std::string text;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        out.error = "not a regular file";
    } else if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
        out.error = "larger than " + std::to_string(max_bytes) + " bytes";
    } else {
        text.resize(static_cast<std::size_t>(st.st_size));
        std::size_t got = 0;
        while (got < text.size()) {
            const auto n = ::read(fd, text.data() + got, text.size() - got);
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        text.resize(got);  // a file that shrank meanwhile is read as it now is
        out.text = std::move(text);
    }
    ::close(fd);
    return out;
}

bool is_dockerfile_name(std::string_view file_name) {
    const auto name = dockerfile_chars::lower(file_name);
    static const std::set<std::string, std::less<>> not_built{"md", "rst", "txt", "orig", "rej", "bak", "swp",
                                                              "j2", "tmpl", "template", "in"};
    for (const std::string_view kind : {"dockerfile", "containerfile"}) {
        if (name == kind) return true;
        if (name.size() > kind.size() + 1 && name.ends_with(kind) && name[name.size() - kind.size() - 1] == '.')
            return true;
        if (name.size() > kind.size() + 1 && name.starts_with(kind) && name[kind.size()] == '.')
            return !not_built.contains(name.substr(name.rfind('.') + 1));
    }
    return false;
}

dockerfile_tree find_dockerfiles(const std::vector<fs::path>& roots) {
    dockerfile_tree out;
    for (const auto& root : roots) {
        std::error_code ec;
        if (!fs::is_directory(root, ec)) {
            note_problem(out, root.string() + ": not a directory");
            continue;
        }
        add_root(root, roots.size() > 1, out);
    }
    std::sort(out.repositories.begin(), out.repositories.end());
    out.repositories.erase(std::unique(out.repositories.begin(), out.repositories.end()), out.repositories.end());
    return out;
}

}  // namespace strata::analytics

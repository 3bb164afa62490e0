// dockerfile_tree: one directory walk per root, then each Dockerfile matched to its repository.
#include "analytics/inputs/dockerfile_tree.hpp"

#include "analytics/inputs/dockerfile_text.hpp"

#include <algorithm>
#include <set>

namespace strata::analytics {
namespace {

namespace fs = std::filesystem;

constexpr int max_depth = 64;
constexpr std::size_t max_problems = 100;

struct root_walk {
    std::set<std::string> git_dirs;  // relative paths of directories holding .git ("." for the root)
    std::set<std::string> top_dirs;  // directories directly under the root
    std::vector<std::string> files;  // relative paths of Dockerfiles
};

void note_problem(dockerfile_tree& out, std::string text) {
    if (out.problems.size() < max_problems) out.problems.push_back(std::move(text));
}

void visit(fs::recursive_directory_iterator& it, const fs::path& root, root_walk& walk, dockerfile_tree& out) {
    std::error_code ec;
    const auto& entry = *it;
    const auto name = entry.path().filename().string();
    const auto rel = entry.path().lexically_relative(root);
    if (name == ".git") {
        walk.git_dirs.insert(rel.parent_path().empty() ? "." : rel.parent_path().generic_string());
        if (entry.is_directory(ec)) it.disable_recursion_pending();
        return;
    }
    if (entry.is_symlink(ec)) {
        if (is_dockerfile_name(name)) ++out.skipped_links;
        return;
    }
    if (entry.is_directory(ec)) {
        if (it.depth() == 0) walk.top_dirs.insert(rel.generic_string());
        if (it.depth() >= max_depth) it.disable_recursion_pending();
        return;
    }
    if (entry.is_regular_file(ec) && is_dockerfile_name(name)) walk.files.push_back(rel.generic_string());
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
    std::error_code ec;
    root_walk walk;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) visit(it, root, walk, out);
    if (ec) note_problem(out, "cannot read " + root.string() + ": " + ec.message());
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

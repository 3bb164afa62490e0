// dockerfiles_command: walks the trees, reads each Dockerfile within a size limit, prints the survey.
#include "proxy/cli/dockerfiles_command.hpp"

#include "analytics/analyses/analysis_tables.hpp"
#include "analytics/analyses/dockerfile_survey.hpp"
#include "analytics/inputs/byte_size.hpp"
#include "analytics/inputs/dockerfile_tree.hpp"
#include "proxy/cli/command_frame.hpp"
#include "proxy/cli/flags.hpp"
#include "proxy/cli/output_file.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <iostream>

namespace strata::proxy {
namespace {

namespace fs = std::filesystem;

constexpr const char* dockerfiles_usage =
    "usage: strata analyze dockerfiles [--top N] [--refs-out FILE] [--max-file-bytes SIZE]\n"
    "                                  [--format table|json|csv] DIR...\n"
    "  Finds Dockerfile, Containerfile, *.dockerfile, *.containerfile and Dockerfile.* in trees of\n"
    "  cloned repositories (a repository is a directory holding .git; in a tree without any,\n"
    "  each directory directly under DIR) and reports:\n"
    "    the share of repositories with at least one Dockerfile;\n"
    "    the base images FROM and COPY --from name, with ARG defaults substituted and stage\n"
    "    aliases followed; scratch, and FROM lines whose variables have no value, named;\n"
    "    package installs that leave the package cache in the layer.\n"
    "  --refs-out FILE  writes every image named, one per line, for `strata analyze crawl --refs FILE`\n"
    "  --top N          rows per table (default 20)\n"
    "  --max-file-bytes SIZE  a larger file is skipped and named (default 1MiB)\n"
    "  Symbolic links are never followed.\n";

struct dockerfiles_args {
    std::vector<fs::path> roots;
    std::string refs_out, format = "table";
    std::size_t top = 20, max_file_bytes = std::size_t{1} << 20;
};

dockerfiles_args parse_dockerfiles_args(const std::vector<std::string>& args) {
    dockerfiles_args a;
    flag_set()
        .value("--format", [&a](const std::string& v) { a.format = one_of("--format", v, {"table", "json", "csv"}); })
        .text("--refs-out", a.refs_out)
        .value("--top", [&a](const std::string& v) { a.top = whole_number("--top", v, 1, 1'000'000); })
        .value("--max-file-bytes",
               [&a](const std::string& v) {
                   const auto bytes = analytics::parse_byte_size(v);
                   if (!bytes || *bytes == 0 || *bytes > (std::uint64_t{1} << 30))
                       throw usage_error("--max-file-bytes wants a size up to 1GiB, such as 1MiB");
                   a.max_file_bytes = static_cast<std::size_t>(*bytes);
               })
        .operands([&a](const std::string& v) { a.roots.emplace_back(v); })
        .parse(args);
    if (a.roots.empty()) throw usage_error("no DIR given");
    return a;
}

analytics::dockerfile_survey survey(const analytics::dockerfile_tree& tree, std::size_t max_file_bytes) {
    analytics::dockerfile_survey s;
    for (const auto& r : tree.repositories) s.add_repository(r);
    for (const auto& f : tree.files) {
        const auto name = f.repository + "/" + f.path_in_repository;
        const auto text = analytics::read_regular_file(f.path, max_file_bytes);
        if (text.text) s.add_dockerfile(f.repository, name, *text.text);
        else s.add_unreadable(name, text.error);
    }
    return s;
}

void print_counts(const analytics::dockerfile_tree& tree, const analytics::dockerfile_survey_result& r) {
    std::cerr << "dockerfiles: " << r.dockerfiles << " read (" << r.unreadable << " unreadable, " << tree.skipped_links
              << " symbolic links skipped) in " << r.repositories << " repositories\n";
    for (const auto& p : tree.problems) std::cerr << "  " << storage::log_value(p) << "\n";
}

std::string reference_list(const analytics::dockerfile_survey_result& r) {
    std::string out;
    for (const auto& ref : r.references) out += ref + "\n";
    return out;
}

void print_result(const dockerfiles_args& a, const analytics::dockerfile_survey_result& r) {
    const auto tables = analytics::dockerfile_survey_tables(r);
    if (a.format == "json") {
        // Dockerfiles and paths need not be UTF-8: invalid bytes become U+FFFD rather than an exception.
        std::cout << analytics::to_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else if (a.format == "csv") {
        std::cout << analytics::render_csv(tables.front());
    } else {
        for (std::size_t i = 0; i < tables.size(); ++i) std::cout << (i ? "\n" : "") << analytics::render_text(tables[i]);
    }
}

}  // namespace

int run_dockerfiles_command(const std::vector<std::string>& args) {
    return run_command("analyze dockerfiles", dockerfiles_usage, args, [&] {
        const auto a = parse_dockerfiles_args(args);
        const auto tree = analytics::find_dockerfiles(a.roots);
        const auto r = survey(tree, a.max_file_bytes).result(a.top);
        print_counts(tree, r);
        if (tree.repositories.empty() && tree.files.empty() && !tree.problems.empty()) {
            std::cerr << "strata analyze dockerfiles: none of the directories could be read\n";
            return 1;
        }
        if (!a.refs_out.empty()) {
            write_file_atomically(a.refs_out, reference_list(r));
            std::cerr << "wrote " << r.references.size() << " image references to " << a.refs_out << "\n";
        }
        print_result(a, r);
        return 0;
    });
}

}  // namespace strata::proxy

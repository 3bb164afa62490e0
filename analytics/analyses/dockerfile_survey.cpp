// dockerfile_survey: tallies per base image, per unresolved variable, and examples to name.
#include "analytics/analyses/dockerfile_survey.hpp"

#include <algorithm>

namespace strata::analytics {
namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

template <typename T>
void keep_first(std::vector<T>& list, std::size_t n) {
    if (list.size() > n) list.resize(n);
}

}  // namespace

void dockerfile_survey::add_repository(const std::string& repository) {
    if (repositories_.try_emplace(repository, false).second) ++r_.repositories;
}

void dockerfile_survey::add_unreadable(const std::string& file, const std::string& why) {
    ++r_.unreadable;
    if (r_.unreadable_files.size() < kept_examples) r_.unreadable_files.push_back(file + ": " + why);
}

void dockerfile_survey::add_dockerfile(const std::string& repository, const std::string& file, std::string_view text) {
    add_repository(repository);
    auto& has = repositories_[repository];
    if (!has) has = true, ++r_.repositories_with_dockerfile;
    const auto facts = read_dockerfile(text);
    ++r_.dockerfiles;
    r_.instructions += facts.instructions;
    r_.stages += facts.stages;
    r_.unterminated_heredocs += facts.unterminated_heredocs;
    count_bases(repository, file, facts);
    count_runs(file, facts);
}

void dockerfile_survey::count_bases(const std::string& repository, const std::string& file, const dockerfile_facts& f) {
    std::set<std::string_view> named;  // each image once per Dockerfile
    for (const auto& b : f.bases) {
        if (b.copy_from && b.kind == base_kind::image) ++r_.copy_from_images;
        switch (b.kind) {
        case base_kind::image:
            if (!b.copy_from) ++r_.from_images;
            named.insert(b.reference);
            break;
        case base_kind::scratch: ++r_.from_scratch; break;
        case base_kind::stage: ++r_.from_stages; break;
        case base_kind::unresolved:
            ++r_.unresolved;
            for (const auto& v : b.variables) ++variables_[v];
            note_unusable(file, b);
            break;
        case base_kind::invalid:
            ++r_.invalid;
            note_unusable(file, b);
            break;
        }
    }
    for (const auto ref : named) {
        auto& t = bases_[std::string(ref)];
        ++t.dockerfiles;
        t.repositories.insert(repository);
    }
    if (!f.final_base.empty() && f.final_base != "scratch") ++bases_[f.final_base].final_stage;
}

void dockerfile_survey::note_unusable(const std::string& file, const base_reference& b) {
    if (r_.unusable.size() >= kept_examples) return;
    const auto why = b.kind == base_kind::unresolved ? "variables without a value: " + joined(b.variables) : b.problem;
    r_.unusable.push_back({file, b.line, b.written.substr(0, 200), why});
}

void dockerfile_survey::count_runs(const std::string& file, const dockerfile_facts& f) {
    for (const auto& run : f.runs) {
        ++r_.run_steps;
        const auto manager = installs_packages(run.command);
        if (manager == package_manager::none) continue;
        ++r_.install_steps;
        if (cleans_package_cache(run.command, manager)) continue;
        ++r_.uncleaned_install_steps;
        if (r_.uncleaned.size() < kept_examples) r_.uncleaned.push_back({file, run.line, manager, run.command.substr(0, 200)});
    }
}

dockerfile_survey_result dockerfile_survey::result(std::size_t top_n) const {
    auto r = r_;
    r.share_with_dockerfile = r.repositories ? static_cast<double>(r.repositories_with_dockerfile) / r.repositories : 0;
    r.uncleaned_share = r.install_steps ? static_cast<double>(r.uncleaned_install_steps) / r.install_steps : 0;
    for (const auto& [ref, t] : bases_) {
        r.references.push_back(ref);
        r.bases.push_back({ref, t.dockerfiles, t.repositories.size(), t.final_stage});
    }
    std::stable_sort(r.bases.begin(), r.bases.end(), [](const auto& a, const auto& b) {
        return a.repositories != b.repositories ? a.repositories > b.repositories : a.dockerfiles > b.dockerfiles;
    });
    r.unresolved_variables.assign(variables_.begin(), variables_.end());
    std::stable_sort(r.unresolved_variables.begin(), r.unresolved_variables.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    keep_first(r.bases, top_n);
    keep_first(r.unresolved_variables, top_n);
    keep_first(r.unusable, top_n);
    keep_first(r.uncleaned, top_n);
    keep_first(r.unreadable_files, top_n);
    return r;
}

}  // namespace strata::analytics

// dockerfile_hygiene: text matching on created_by lines, one image at a time.
#include "analytics/analyses/dockerfile_hygiene.hpp"

#include <algorithm>
#include <regex>
#include <unordered_set>

namespace strata::analytics {
namespace {

bool contains(std::string_view text, std::string_view what) { return text.find(what) != std::string_view::npos; }

bool matches(std::string_view text, const std::regex& re) { return std::regex_search(text.begin(), text.end(), re); }

void keep_biggest(std::vector<layer_with_step>& list, std::size_t n) {
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
        return a.size != b.size ? a.size > b.size : a.digest < b.digest;
    });
    if (list.size() > n) list.resize(n);
}

}  // namespace

package_manager installs_packages(std::string_view created_by) {
    static const std::regex apt(R"(\bapt(-get)?\s+(-\S+\s+)*install\b)");
    static const std::regex yum(R"(\b(yum|dnf|microdnf)\s+(-\S+\s+)*install\b)");
    static const std::regex apk(R"(\bapk\s+(-\S+\s+)*add\b)");
    if (matches(created_by, apt)) return package_manager::apt;
    if (matches(created_by, yum)) return package_manager::yum;
    if (matches(created_by, apk)) return package_manager::apk;
    return package_manager::none;
}

bool cleans_package_cache(std::string_view s, package_manager manager) {
    switch (manager) {
    case package_manager::apt:
        return contains(s, "/var/lib/apt/lists") || contains(s, "apt-get clean") || contains(s, "apt clean");
    case package_manager::yum:
        return contains(s, "clean all") || contains(s, "/var/cache/yum") || contains(s, "/var/cache/dnf");
    case package_manager::apk:
        return contains(s, "--no-cache") || contains(s, "/var/cache/apk");
    case package_manager::none:
        return true;
    }
    return true;
}

hygiene_summary dockerfile_hygiene(const std::vector<image>& images, std::size_t top_n) {
    hygiene_summary h;
    h.images = images.size();
    std::vector<double> layer_counts;
    std::unordered_set<std::string> listed;
    for (const auto& img : images) {
        layer_counts.push_back(static_cast<double>(img.layers.size()));
        if (img.history.empty()) continue;
        ++h.images_with_history;
        const auto steps = img.layer_steps();
        const bool aligned = steps.size() == img.layers.size();
        for (std::size_t i = 0; i < steps.size(); ++i) {
            ++h.layer_steps;
            const auto& cmd = steps[i]->created_by;
            const auto manager = installs_packages(cmd);
            const bool uncleaned = manager != package_manager::none && !cleans_package_cache(cmd, manager);
            if (manager != package_manager::none) ++h.install_steps;
            if (uncleaned) ++h.uncleaned_install_steps;
            if (!aligned) continue;
            // A base layer shared by many images is one layer: each digest once.
            if (!listed.insert(img.layers[i].digest).second) continue;
            layer_with_step l{img.name(), img.layers[i].digest, cmd, img.layers[i].size};
            if (uncleaned) h.uncleaned.push_back(l);
            h.biggest.push_back(std::move(l));
        }
    }
    keep_biggest(h.biggest, top_n);
    keep_biggest(h.uncleaned, top_n);
    h.uncleaned_share = h.install_steps ? static_cast<double>(h.uncleaned_install_steps) / h.install_steps : 0;
    h.layers_per_image = describe(std::move(layer_counts));
    return h;
}

}  // namespace strata::analytics

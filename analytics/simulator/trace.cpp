// sim_trace: interning, sorting, and references normalised as Docker and containerd do.
#include "analytics/simulator/trace.hpp"

#include <algorithm>

namespace strata::analytics {

std::uint32_t trace_builder::node(const std::string& name, const label_set& labels) {
    const auto [it, added] = nodes_.try_emplace(name, static_cast<std::uint32_t>(t_.nodes.size()));
    if (added) {
        t_.nodes.push_back(name);
        t_.node_labels.push_back(labels);
    }
    return it->second;
}

std::uint32_t trace_builder::object(const std::string& digest, std::uint64_t size) {
    const auto [it, added] = objects_.try_emplace(digest, static_cast<std::uint32_t>(t_.objects.size()));
    if (added) {
        t_.objects.push_back(digest);
        t_.object_sizes.push_back(size);
    }
    return it->second;
}

std::uint16_t trace_builder::registry(const std::string& name) {
    const auto [it, added] = registries_.try_emplace(name, static_cast<std::uint16_t>(t_.registries.size()));
    if (added) t_.registries.push_back(name);
    return it->second;
}

std::uint32_t trace_builder::image(const std::string& name, const std::vector<std::uint32_t>& objects) {
    const auto [it, added] = images_.try_emplace(name, static_cast<std::uint32_t>(t_.images.size()));
    if (added) {
        t_.images.push_back(name);
        t_.image_objects.push_back(objects);
    }
    return it->second;
}

trace trace_builder::finish() {
    std::stable_sort(t_.requests.begin(), t_.requests.end(),
                     [](const trace_request& a, const trace_request& b) { return a.time_s < b.time_s; });
    // A blob's size is the same wherever it is named; the first size seen wins.
    for (auto& r : t_.requests) r.size = t_.object_sizes[r.object];
    return std::move(t_);
}

normalised_ref normalise_ref(std::string_view ref) {
    normalised_ref out;
    std::string rest(ref);
    if (const auto at = rest.find('@'); at != std::string::npos) {
        out.digest = rest.substr(at + 1);
        rest.resize(at);
    }
    const auto slash = rest.find('/');
    const auto first = rest.substr(0, slash);
    const bool has_registry = slash != std::string::npos &&
                              (first.find_first_of(".:") != std::string::npos || first == "localhost");
    std::string registry = has_registry ? first : "docker.io";
    std::string path = has_registry ? rest.substr(slash + 1) : rest;
    if (const auto colon = path.rfind(':'); colon != std::string::npos) {
        out.tag = path.substr(colon + 1);
        path.resize(colon);
    }
    if (registry == "docker.io" && path.find('/') == std::string::npos) path = "library/" + path;
    if (out.tag.empty() && out.digest.empty()) out.tag = "latest";
    out.repository = registry + '/' + path;
    return out;
}

}  // namespace strata::analytics

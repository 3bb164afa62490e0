// base_images: a hash of each base's whole layer list, probed with each prefix of an image's.
#include "analytics/analyses/base_images.hpp"

#include "analytics/inputs/dockerfile_stages.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_map>

namespace strata::analytics {
namespace {

using repository_key = std::pair<std::string, std::string>;  // registry, repository

repository_key parse_base_repository(const std::string& text) {
    const auto last_slash = text.rfind('/');
    const bool tagged = text.find(':', last_slash == std::string::npos ? 0 : last_slash + 1) != std::string::npos;
    std::string problem;
    const auto ref = tagged || text.find('@') != std::string::npos ? std::nullopt : normalise_image_reference(text, problem);
    if (!ref)
        throw std::invalid_argument("base repository '" + text +
                                    "': wants a repository such as debian or ghcr.io/org/base, without a tag or digest" +
                                    (problem.empty() ? "" : " (" + problem + ")"));
    const auto name = ref->substr(0, ref->size() - std::string_view(":latest").size());
    const auto slash = name.find('/');
    return {name.substr(0, slash), name.substr(slash + 1)};
}

// The hash of a layer list, extended one layer at a time: prefix i's hash needs prefix i-1's.
std::uint64_t extend(std::uint64_t h, const std::string& digest) {
    std::uint64_t x = h ^ (std::hash<std::string>{}(digest) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ULL;
    return x ^ (x >> 29);
}

std::uint64_t list_hash(const std::vector<layer>& layers) {
    std::uint64_t h = 0;
    for (const auto& l : layers) h = extend(h, l.digest);
    return h;
}

bool is_prefix(const image& base, const image& img) {
    if (base.layers.size() > img.layers.size()) return false;
    return std::equal(base.layers.begin(), base.layers.end(), img.layers.begin(),
                      [](const layer& a, const layer& b) { return a.digest == b.digest; });
}

class base_index {
public:
    void add(const image& base) {
        if (!base.layers.empty()) by_list_[list_hash(base.layers)].push_back(&base);
    }

    void sort() {
        for (auto& [h, list] : by_list_)
            std::sort(list.begin(), list.end(), [](const image* a, const image* b) { return a->name() < b->name(); });
    }

    // The longest base that is a prefix of img, or nullptr. Hash collisions are settled by
    // comparing digests, so the answer is exact.
    const image* longest_prefix(const image& img) const {
        std::vector<std::uint64_t> prefix(img.layers.size());
        std::uint64_t h = 0;
        for (std::size_t i = 0; i < img.layers.size(); ++i) prefix[i] = h = extend(h, img.layers[i].digest);
        for (std::size_t n = img.layers.size(); n >= 1; --n) {
            const auto it = by_list_.find(prefix[n - 1]);
            if (it == by_list_.end()) continue;
            for (const auto* base : it->second)
                if (base->layers.size() == n && counts_for(*base, img)) return base;
        }
        return nullptr;
    }

private:
    static bool counts_for(const image& base, const image& img) {
        if (&base == &img || !is_prefix(base, img)) return false;
        if (!base.platform.empty() && !img.platform.empty() && base.platform != img.platform) return false;
        const bool same_repository = base.registry == img.registry && base.repository == img.repository;
        return !(same_repository && base.layers.size() == img.layers.size());
    }

    std::unordered_map<std::uint64_t, std::vector<const image*>> by_list_;
};

}  // namespace

const std::vector<std::string>& default_base_repositories() {
    static const std::vector<std::string> names = {
        "debian",     "ubuntu",    "alpine",     "centos",       "rockylinux",  "almalinux",
        "fedora",     "amazonlinux", "busybox",  "archlinux",    "opensuse/leap", "oraclelinux",
        "registry.access.redhat.com/ubi8", "registry.access.redhat.com/ubi9"};
    return names;
}

void check_base_repositories(const std::vector<std::string>& base_repositories) {
    for (const auto& r : base_repositories) parse_base_repository(r);
}

std::string base_family(const image& base) {
    return base.repository.starts_with("library/") ? base.repository.substr(8) : base.repository;
}

base_image_result base_images(const std::vector<image>& images, const std::vector<std::string>& base_repositories) {
    std::set<repository_key> repos;
    for (const auto& r : base_repositories) repos.insert(parse_base_repository(r));
    base_index index;
    base_image_result out;
    const auto is_base = [&](const image& img) { return repos.contains({img.registry, img.repository}); };
    for (const auto& img : images)
        if (is_base(img)) index.add(img), ++out.known_bases;
    index.sort();
    std::map<std::string, std::size_t> families;
    for (const auto& img : images) {
        if (is_base(img)) continue;
        ++out.images;
        image_base b{&img, index.longest_prefix(img), 0, 0};
        if (b.base) {
            b.base_layers = b.base->layers.size();
            for (std::size_t i = b.base_layers; i < img.layers.size(); ++i) b.added_bytes += img.layers[i].size;
            ++families[base_family(*b.base)];
        } else {
            ++out.without_base;
            b.added_bytes = img.total_bytes();
        }
        out.per_image.push_back(b);
    }
    const auto share = [&](std::size_t n) { return out.images ? static_cast<double>(n) / out.images : 0.0; };
    out.share_without_base = share(out.without_base);
    for (const auto& [family, n] : families) out.families.push_back({family, n, share(n)});
    std::stable_sort(out.families.begin(), out.families.end(), [](const auto& a, const auto& b) { return a.images > b.images; });
    return out;
}

}  // namespace strata::analytics

// dockerfile_hygiene: build habits visible in image config history: package installs that
// leave their caches in the layer, layer counts, and the biggest layers with their commands.
#pragma once

#include "analytics/analyses/distribution.hpp"
#include "analytics/inputs/image.hpp"

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace strata::analytics {

enum class package_manager { none, apt, yum, apk };

// The package manager a build step installs with ("apt-get install", "apt install",
// "yum|dnf|microdnf install", "apk add"), or none.
package_manager installs_packages(std::string_view created_by);

// True when the same step also cleans that manager's cache: apt lists removed or
// "apt-get clean"; "yum|dnf clean all" or /var/cache/yum|dnf removed; "apk add --no-cache" or
// /var/cache/apk removed.
bool cleans_package_cache(std::string_view created_by, package_manager manager);

struct layer_with_step {
    std::string image, digest, created_by;
    std::uint64_t size = 0;
};

struct hygiene_summary {
    std::size_t images = 0, images_with_history = 0;
    std::size_t layer_steps = 0;          // history entries that made a layer
    std::size_t install_steps = 0;        // of those, package installs
    std::size_t uncleaned_install_steps = 0;
    double uncleaned_share = 0;           // uncleaned / install steps (0 without installs)
    distribution layers_per_image;
    std::vector<layer_with_step> biggest;          // biggest layers (known commands), largest first
    std::vector<layer_with_step> uncleaned;        // biggest uncleaned install layers
};

// Layers are matched to history entries by position when the counts agree (otherwise the
// image's commands are still counted, but not tied to sizes).
hygiene_summary dockerfile_hygiene(const std::vector<image>& images, std::size_t top_n = 15);

// The same, fed one image at a time: it keeps counts, the digests of layers listed so far, and
// the top_n biggest (trimmed as it goes), not the images.
class hygiene_builder {
public:
    explicit hygiene_builder(std::size_t top_n = 15) : top_n_(top_n) {}
    void add(const image& img);
    hygiene_summary finish() &&;

private:
    std::size_t top_n_;
    hygiene_summary h_;
    std::vector<double> layer_counts_;
    std::unordered_set<std::string> listed_;
};

}  // namespace strata::analytics

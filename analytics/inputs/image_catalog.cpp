// image_catalog: de-duplication and error bookkeeping for imported images.
#include "analytics/inputs/image_catalog.hpp"

namespace strata::analytics {

namespace {
constexpr std::size_t max_errors_kept = 50;
}

bool image_catalog::add(image img) {
    if (!seen_.insert(img.name() + '@' + img.digest + '|' + img.platform).second) {
        ++counts_.duplicates;
        note(img.name(), "read before; counted once");
        return false;
    }
    ++counts_.images;
    images_.push_back(std::move(img));
    return true;
}

void image_catalog::absorb(image_catalog&& part) {
    const auto& c = part.counts_;
    counts_.files += c.files;
    counts_.unreadable_files += c.unreadable_files;
    counts_.duplicates += c.duplicates;  // within part; images (and duplicates across) counted by add
    counts_.indexes_without_images += c.indexes_without_images;
    counts_.invalid_manifests += c.invalid_manifests;
    counts_.missing_configs += c.missing_configs;
    counts_.invalid_configs += c.invalid_configs;
    counts_.digest_mismatches += c.digest_mismatches;
    for (auto& e : part.errors_)
        if (errors_.size() < max_errors_kept) errors_.push_back(std::move(e));
    for (auto& img : part.images_) add(std::move(img));
}

void image_catalog::label_all(const label_set& labels) {
    for (auto& img : images_) img.labels.insert(labels.begin(), labels.end());
}

void image_catalog::note(std::string where, const std::string& what) {
    if (errors_.size() < max_errors_kept) errors_.push_back(std::move(where) + ": " + what);
}

}  // namespace strata::analytics

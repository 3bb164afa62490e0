// image_listing: a bounded pass over the tags, then each image's contents.
#include "storage/index/image_listing.hpp"

#include "storage/index/image_contents.hpp"

#include <algorithm>
#include <vector>

namespace strata::storage {
namespace {

struct tagged {
    repository_key repository;
    std::string tag;
    tag_record record;
};

// The first limit tags after `after` in key order (the index's own order), and whether more follow.
std::vector<tagged> page_of_tags(const metadata_index& index, std::string_view after, std::size_t limit, bool& more) {
    std::vector<tagged> page;
    more = false;
    index.for_each_tag_after(after, [&](const repository_key& repo, std::string_view tag, const tag_record& record) {
        if (page.size() == limit) {
            more = true;
            return false;
        }
        page.push_back({repo, std::string(tag), record});
        return true;
    });
    return page;
}

cached_image describe(const metadata_index& index, const tagged& t) {
    cached_image img{t.repository.upstream, t.repository.repository, t.tag, t.record.digest};
    img.last_pull_ns = t.record.fetched_at_ns;
    const auto d = digest::parse(t.record.digest);
    if (!d) return img;
    const auto contents = contents_of(index, *d);
    img.complete = contents.complete();
    img.blobs = contents.blobs.size();
    img.missing_blobs = contents.missing_blobs.size();
    for (const auto& b : contents.blobs) {
        const auto bd = digest::parse(b);
        const auto record = bd ? index.blob(*bd) : std::nullopt;
        if (!record) continue;
        img.cached_bytes += record->size;
        img.last_pull_ns = std::max(img.last_pull_ns, record->last_access_ns);
    }
    return img;
}

}  // namespace

image_page list_images(const metadata_index& index, std::string_view after, std::size_t limit) {
    image_page out;
    if (limit == 0) return out;
    bool more = false;
    const auto tags = page_of_tags(index, after, limit, more);
    for (const auto& t : tags) out.images.push_back(describe(index, t));
    if (more && !out.images.empty()) out.next = out.images.back().key();
    return out;
}

}  // namespace strata::storage

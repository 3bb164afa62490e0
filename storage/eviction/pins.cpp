// pins: parsing pin names and resolving them through the index to the digests they cover.
#include "storage/eviction/pins.hpp"

#include "storage/index/image_contents.hpp"
#include "storage/index/rocksdb_impl.hpp"

namespace strata::storage {
namespace {

const std::string pin_prefix = "pin/";  // in the default column family

}  // namespace

std::optional<pin> parse_pin(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    const auto upstream = text.substr(0, slash);
    auto rest = text.substr(slash + 1);
    std::string_view reference = "latest";
    if (const auto at = rest.find('@'); at != std::string_view::npos) {
        reference = rest.substr(at + 1);
        rest = rest.substr(0, at);
    } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos && rest.find('/', colon) == rest.npos) {
        reference = rest.substr(colon + 1);
        rest = rest.substr(0, colon);
        if (!is_valid_tag(reference)) return std::nullopt;
    }
    if (!is_valid_repository(rest)) return std::nullopt;
    auto ref = manifest_reference::parse(reference);
    if (!ref) return std::nullopt;
    return pin{{std::string(upstream), std::string(rest)}, std::move(*ref)};
}

std::vector<std::string> stored_pins(const metadata_index& index) {
    const auto& db = index.internals();
    std::vector<std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(db.db->NewIterator(rocksdb::ReadOptions(), db.cf(cf_default)));
    for (it->Seek(pin_prefix); it->Valid() && it->key().starts_with(pin_prefix); it->Next())
        out.push_back(it->key().ToString().substr(std::string_view(pin_prefix).size()));
    check(it->status(), "scan pins");
    return out;
}

void store_pin(metadata_index& index, const std::string& text) {
    auto& db = index.internals();
    check(db.db->Put(rocksdb::WriteOptions(), db.cf(cf_default), pin_prefix + text, ""), "store pin");
}

bool unstore_pin(metadata_index& index, const std::string& text) {
    auto& db = index.internals();
    if (!db.get(cf_default, pin_prefix + text)) return false;
    check(db.db->Delete(rocksdb::WriteOptions(), db.cf(cf_default), pin_prefix + text), "remove pin");
    return true;
}

std::optional<digest> resolve_pin(const metadata_index& index, const pin& p) {
    if (p.reference.is_digest()) return p.reference.by_digest();
    const auto tag = index.tag(p.repo, p.reference.tag());
    if (!tag) return std::nullopt;
    auto d = digest::parse(tag->digest);
    return d ? std::optional<digest>(*d) : std::nullopt;
}

std::optional<digest> cached_manifest_of(const metadata_index& index, const pin& p) {
    auto d = resolve_pin(index, p);
    if (!d || !index.manifest(*d)) return std::nullopt;
    return d;
}

std::unordered_set<std::string> pinned_digests(const metadata_index& index, const std::vector<pin>& pins) {
    std::unordered_set<std::string> out;
    for (const auto& p : pins) {
        const auto d = resolve_pin(index, p);
        if (!d) continue;
        auto contents = contents_of(index, *d);
        out.insert(contents.manifests.begin(), contents.manifests.end());
        out.insert(contents.blobs.begin(), contents.blobs.end());
    }
    return out;
}

}  // namespace strata::storage

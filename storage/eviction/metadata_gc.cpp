// metadata_gc: mark manifests reachable from live tags or recent use, sweep the rest.
#include "storage/eviction/metadata_gc.hpp"

#include "storage/oci/manifest.hpp"
#include "storage/index/rocksdb_impl.hpp"

#include <nlohmann/json.hpp>
#include <rocksdb/write_batch.h>

#include <charconv>
#include <unordered_set>
#include <vector>

namespace strata::storage {
namespace {

// Calls visit(key, value) for every entry of a column family.
template <typename Visit>
void scan(metadata_index::impl& db, column c, Visit visit) {
    std::unique_ptr<rocksdb::Iterator> it(db.db->NewIterator(rocksdb::ReadOptions(), db.cf(c)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) visit(it->key().ToStringView(), it->value().ToStringView());
    check(it->status(), "scan metadata");
}

std::int64_t last_used(metadata_index::impl& db, std::string_view digest) {
    const auto value = db.get(cf_default, manifest_used_key(digest));
    std::int64_t ns = 0;
    if (value) std::from_chars(value->data(), value->data() + value->size(), ns);
    return ns;  // unknown: as old as can be
}

std::string tag_digest(std::string_view value) {
    const auto j = nlohmann::json::parse(value, nullptr, false);
    return j.is_object() && j.contains("digest") && j["digest"].is_string() ? j["digest"].get<std::string>() : "";
}

// Adds the manifests an index references to live (and theirs, for nested indexes).
void mark_children(metadata_index::impl& db, const std::string& digest, std::unordered_set<std::string>& live) {
    std::vector<std::string> pending{digest};
    while (!pending.empty()) {
        const auto d = std::move(pending.back());
        pending.pop_back();
        const auto value = db.get(cf_manifests, d);
        if (!value) continue;
        const auto nl = value->find('\n');
        if (nl == std::string::npos) continue;
        const auto parsed = parse_manifest(std::string_view(*value).substr(nl + 1), std::string_view(*value).substr(0, nl));
        if (!parsed || !is_index_media_type(parsed->media_type)) continue;
        for (const auto& child : parsed->children)
            if (live.insert(child.digest_value.str()).second) pending.push_back(child.digest_value.str());
    }
}

}  // namespace

metadata_gc_report collect_metadata_garbage(metadata_index& index, std::int64_t cutoff_ns) {
    auto& db = index.internals();
    metadata_gc_report report;
    rocksdb::WriteBatch batch;
    std::unordered_set<std::string> live;
    scan(db, cf_tags, [&](std::string_view key, std::string_view value) {
        const auto j = nlohmann::json::parse(value, nullptr, false);
        const bool fresh = j.is_object() && j.value("fetched_at_ns", std::int64_t{0}) >= cutoff_ns;
        if (fresh) {
            live.insert(tag_digest(value));
        } else {
            batch.Delete(db.cf(cf_tags), key);
            ++report.tags;
        }
    });
    std::vector<std::string> manifests;
    scan(db, cf_manifests, [&](std::string_view key, std::string_view) { manifests.emplace_back(key); });
    for (const auto& d : manifests)
        if (last_used(db, d) >= cutoff_ns) live.insert(d);
    for (const auto& d : std::vector<std::string>(live.begin(), live.end())) mark_children(db, d, live);
    std::unordered_set<std::string> removed;
    for (const auto& d : manifests) {
        if (live.count(d)) continue;
        batch.Delete(db.cf(cf_manifests), d);
        batch.Delete(db.cf(cf_default), manifest_used_key(d));
        removed.insert(d);
        ++report.manifests;
    }
    // A reference "child|parent" is an orphan once its parent manifest is gone.
    scan(db, cf_refs, [&](std::string_view key, std::string_view) {
        const auto bar = key.find('|');
        const auto parent = bar == std::string_view::npos ? std::string() : std::string(key.substr(bar + 1));
        if (bar != std::string_view::npos && !removed.count(parent) && db.get(cf_manifests, parent)) return;
        batch.Delete(db.cf(cf_refs), key);
        ++report.references;
    });
    std::unique_ptr<rocksdb::Iterator> it(db.db->NewIterator(rocksdb::ReadOptions(), db.cf(cf_default)));
    for (it->Seek(referrers_prefix); it->Valid() && it->key().starts_with(referrers_prefix); it->Next()) {
        const auto value = it->value().ToStringView();
        std::int64_t at = 0;
        std::from_chars(value.data(), value.data() + value.size(), at);
        if (at >= cutoff_ns) continue;
        batch.Delete(db.cf(cf_default), it->key());
        ++report.referrers;
    }
    check(it->status(), "scan referrers");
    check(db.db->Write(rocksdb::WriteOptions(), &batch), "collect metadata garbage");
    return report;
}

}  // namespace strata::storage

// metadata_index on RocksDB: one column family per record kind, JSON-encoded values.
#include "storage/index/metadata_index.hpp"

#include "storage/clock.hpp"
#include "storage/index/rocksdb_impl.hpp"

#include <nlohmann/json.hpp>
#include <rocksdb/write_batch.h>

#include <charconv>
#include <chrono>
#include <stdexcept>

namespace strata::storage {

std::string tag_key(const repository_key& repo, std::string_view tag) {
    return repo.upstream + '/' + repo.repository + ':' + std::string(tag);
}

namespace {

using json = nlohmann::json;

std::string encode(const blob_record& r) {
    return json{{"size", r.size}, {"media_type", r.media_type}, {"first_access_ns", r.first_access_ns},
                {"last_access_ns", r.last_access_ns}, {"hits", r.hits}}
        .dump();
}

blob_record decode_blob(const std::string& s) {
    const auto j = json::parse(s);
    return {j.at("size").get<std::uint64_t>(), j.at("media_type").get<std::string>(),
            j.at("first_access_ns").get<std::int64_t>(), j.at("last_access_ns").get<std::int64_t>(),
            j.at("hits").get<std::uint64_t>()};
}

// Manifest values are "<media type>\n<body>": bodies stay byte-exact.

manifest_record decode_manifest(std::string s) {
    const auto nl = s.find('\n');
    if (nl == std::string::npos) throw std::runtime_error("metadata index: corrupt manifest record");
    manifest_record r{s.substr(0, nl), std::move(s)};
    r.body.erase(0, nl + 1);  // in place: a large body is not copied again
    return r;
}

tag_record decode_tag(std::string_view s) {
    const auto j = json::parse(s);
    return {j.at("digest").get<std::string>(), j.at("media_type").get<std::string>(),
            j.at("fetched_at_ns").get<std::int64_t>()};
}

}  // namespace

metadata_index::metadata_index(const std::filesystem::path& dir, open_mode mode)
    : impl_(std::make_unique<impl>(dir, mode == open_mode::read_only)) {}

metadata_index::~metadata_index() = default;

std::optional<manifest_record> metadata_index::manifest(const digest& d) const {
    auto value = impl_->get(cf_manifests, d.str());
    if (!value) return std::nullopt;
    return decode_manifest(std::move(*value));
}

void metadata_index::put_manifest(const digest& d, std::string_view media_type, std::string_view body,
                                  const repository_key& repo, const std::vector<digest>& children) {
    // The record is "<media type>\n<body>", written straight into a batch sized for it: a
    // manifest of some MiB is copied once on its way into the memtable, not three times.
    rocksdb::WriteBatch batch(body.size() + media_type.size() + 512 * (children.size() + 2));
    const rocksdb::Slice key_slice(d.str());
    const rocksdb::Slice value_parts[] = {{media_type.data(), media_type.size()}, {"\n", 1}, {body.data(), body.size()}};
    batch.Put(impl_->cf(cf_manifests), rocksdb::SliceParts(&key_slice, 1), rocksdb::SliceParts(value_parts, 3));
    const auto repo_name = repo.upstream + '/' + repo.repository;
    const auto now = std::to_string(now_ns());
    for (const auto& child : children) {
        batch.Put(impl_->cf(cf_refs), child.str() + '|' + d.str(), repo_name);
        batch.Put(impl_->cf(cf_default), link_prefix(child.str()) + repo_name, "1:" + now);
    }
    batch.Put(impl_->cf(cf_default), link_prefix(d.str()) + repo_name, "1:" + now);
    batch.Put(impl_->cf(cf_default), manifest_used_key(d.str()), now);
    check(impl_->db->Write(rocksdb::WriteOptions(), &batch), "write manifest");
}

void metadata_index::put_link(const digest& d, const repository_key& repo, const repository_link& link) {
    const auto key = link_prefix(d.str()) + repo.upstream + '/' + repo.repository;
    const auto value = std::string(link.holds ? "1:" : "0:") + std::to_string(link.at_ns);
    check(impl_->db->Put(rocksdb::WriteOptions(), impl_->cf(cf_default), key, value), "write repository link");
}

std::optional<repository_link> metadata_index::link(const digest& d, const repository_key& repo) const {
    auto value = impl_->get(cf_default, link_prefix(d.str()) + repo.upstream + '/' + repo.repository);
    if (!value || value->size() < 3 || (*value)[1] != ':') return std::nullopt;
    std::int64_t at = 0;
    std::from_chars(value->data() + 2, value->data() + value->size(), at);
    return repository_link{(*value)[0] == '1', at};
}

std::vector<std::string> metadata_index::holders(const digest& d) const {
    std::vector<std::string> out;
    const auto prefix = link_prefix(d.str());
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(cf_default)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
        if (it->value().starts_with("1:")) out.push_back(it->key().ToString().substr(prefix.size()));
    check(it->status(), "scan repository links");
    return out;
}

namespace {
std::string referrers_key(const repository_key& repo, const digest& subject) {
    return std::string(referrers_prefix) + repo.upstream + '/' + repo.repository + '@' + subject.str();
}
}  // namespace

std::optional<referrers_record> metadata_index::referrers_of(const repository_key& repo, const digest& subject) const {
    auto value = impl_->get(cf_default, referrers_key(repo, subject));
    if (!value) return std::nullopt;
    const auto nl = value->find('\n');
    std::int64_t at = 0;
    if (nl == std::string::npos || std::from_chars(value->data(), value->data() + nl, at).ptr != value->data() + nl)
        return std::nullopt;  // not a record this version wrote: as if absent
    return referrers_record{value->substr(nl + 1), at};
}

void metadata_index::put_referrers(const repository_key& repo, const digest& subject, const referrers_record& record) {
    const auto value = std::to_string(record.fetched_at_ns) + '\n' + record.index;
    check(impl_->db->Put(rocksdb::WriteOptions(), impl_->cf(cf_default), referrers_key(repo, subject), value),
          "write referrers");
}

std::optional<tag_record> metadata_index::tag(const repository_key& repo, std::string_view tag) const {
    auto value = impl_->get(cf_tags, tag_key(repo, tag));
    if (!value) return std::nullopt;
    return decode_tag(*value);
}

void metadata_index::put_tag(const repository_key& repo, std::string_view tag, const tag_record& record) {
    const auto value =
        json{{"digest", record.digest}, {"media_type", record.media_type}, {"fetched_at_ns", record.fetched_at_ns}}
            .dump();
    check(impl_->db->Put(rocksdb::WriteOptions(), impl_->cf(cf_tags), tag_key(repo, tag), value), "write tag");
}

std::optional<blob_record> metadata_index::blob(const digest& d) const {
    auto value = impl_->get(cf_blobs, d.str());
    if (!value) return std::nullopt;
    return decode_blob(*value);
}

void metadata_index::put_blob(const digest& d, const blob_record& record) {
    check(impl_->db->Put(rocksdb::WriteOptions(), impl_->cf(cf_blobs), d.str(), encode(record)), "write blob");
}

void metadata_index::record_accesses(const std::vector<access_update>& updates) {
    rocksdb::WriteBatch batch;
    for (const auto& u : updates) {
        auto value = impl_->get(cf_blobs, u.digest);
        if (!value) {
            if (impl_->get(cf_manifests, u.digest))
                batch.Put(impl_->cf(cf_default), manifest_used_key(u.digest), std::to_string(u.last_access_ns));
            continue;
        }
        auto record = decode_blob(*value);
        record.hits += u.hits;
        record.last_access_ns = std::max(record.last_access_ns, u.last_access_ns);
        batch.Put(impl_->cf(cf_blobs), u.digest, encode(record));
    }
    check(impl_->db->Write(rocksdb::WriteOptions(), &batch), "write accesses");
}

void metadata_index::erase_blob(const digest& d) { erase_blob_key(d.str()); }

void metadata_index::erase_blob_key(std::string_view key) {
    check(impl_->db->Delete(rocksdb::WriteOptions(), impl_->cf(cf_blobs), key), "erase blob");
}

void metadata_index::for_each_blob(const std::function<void(std::string_view, const blob_record&)>& visit) const {
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(cf_blobs)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) visit(it->key().ToStringView(), decode_blob(it->value().ToString()));
    check(it->status(), "scan blobs");
}

std::pair<std::uint64_t, std::uint64_t> metadata_index::blob_totals() const {
    std::uint64_t count = 0, bytes = 0;
    for_each_blob([&](std::string_view, const blob_record& r) {
        ++count;
        bytes += r.size;
    });
    return {count, bytes};
}

void metadata_index::for_each_tag(
    const std::function<void(const repository_key&, std::string_view, const tag_record&)>& visit) const {
    for_each_tag_after("", [&visit](const repository_key& repo, std::string_view tag, const tag_record& record) {
        visit(repo, tag, record);
        return true;
    });
}

void metadata_index::for_each_tag_after(
    std::string_view after,
    const std::function<bool(const repository_key&, std::string_view, const tag_record&)>& visit) const {
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(cf_tags)));
    for (it->Seek(rocksdb::Slice(after.data(), after.size())); it->Valid(); it->Next()) {
        // "upstream/repository:tag": upstream names have no '/', repositories no ':'.
        const auto key = it->key().ToStringView();
        if (key == after) continue;
        const auto slash = key.find('/');
        const auto colon = key.rfind(':');
        if (slash == std::string_view::npos || colon == std::string_view::npos || colon < slash) continue;
        if (!visit({std::string(key.substr(0, slash)), std::string(key.substr(slash + 1, colon - slash - 1))},
                   key.substr(colon + 1), decode_tag(it->value().ToStringView())))
            break;
    }
    check(it->status(), "scan tags");
}

void metadata_index::for_each_manifest(
    const std::function<void(std::string_view, const manifest_record&)>& visit) const {
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(cf_manifests)));
    for (it->SeekToFirst(); it->Valid(); it->Next())
        visit(it->key().ToStringView(), decode_manifest(it->value().ToString()));
    check(it->status(), "scan manifests");
}

std::vector<std::string> metadata_index::referrers(const digest& child) const {
    std::vector<std::string> out;
    const auto prefix = child.str() + '|';
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(cf_refs)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
        out.push_back(it->key().ToString().substr(prefix.size()));
    check(it->status(), "scan references");
    return out;
}

}  // namespace strata::storage

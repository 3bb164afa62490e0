// image_files_import: manifests-config-layers bundles, OCI image layouts and skopeo outputs.
#include "analytics/inputs/image_catalog.hpp"
#include "analytics/inputs/image_documents.hpp"
#include "analytics/inputs/input_stream.hpp"
#include "analytics/inputs/ordered_parallel.hpp"

#include "storage/oci/digest.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <utility>

namespace strata::analytics {
namespace {

namespace fs = std::filesystem;
using simdjson::SUCCESS;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr const char* bundle_name = "manifests-config-layers.json";

bool looks_like_registry(const std::string& part) {
    return part != "." && part != ".." &&
           (part.find('.') != std::string::npos || part.find(':') != std::string::npos || part == "localhost");
}

// Registry and repository from a bundle's directories: the first that looks like a host
// name starts them; without one the image is on Docker Hub. "name@sha256" was pulled by digest.
std::pair<std::string, std::string> bundle_location(const std::vector<std::string>& dirs) {
    auto start = std::find_if(dirs.begin(), dirs.end(), looks_like_registry);
    std::string registry = "docker.io";
    if (start != dirs.end()) registry = *start++;
    else start = dirs.size() >= 2 ? dirs.end() - 2 : dirs.begin();
    std::string repository;
    for (auto it = start; it != dirs.end(); ++it) repository += (repository.empty() ? "" : "/") + *it;
    if (repository.ends_with("@sha256")) repository.resize(repository.size() - 7);
    return {registry, repository};
}

std::optional<json_document> read_document(image_catalog& catalog, const fs::path& path, std::size_t max_bytes) {
    ++catalog.counts().files;
    const auto file = read_input_file(path, max_bytes);
    if (!file.text) {
        ++catalog.counts().unreadable_files;
        catalog.note("file " + path.string(), file.error);
        return std::nullopt;
    }
    auto doc = json_document::parse(*file.text);
    if (!doc) {
        ++catalog.counts().invalid_manifests;
        catalog.note(path.string(), "not JSON (or nested too deeply)");
    }
    return doc;
}

// "v1.2@sha256:…" -> tag and digest; a bare 64-hex key was a pull by digest.
void split_tag_key(const std::string& key, image& img) {
    const auto at = key.find('@');
    if (at != std::string::npos) {
        img.tag = key.substr(0, at);
        img.digest = key.substr(at + 1);
    } else if (key.size() == 64 && key.find_first_not_of("0123456789abcdef") == std::string::npos) {
        img.digest = "sha256:" + key;
    } else {
        img.tag = key;
    }
}

void apply_config_or_count(image_catalog& catalog, const std::string& where, std::optional<element> config,
                           image& img) {
    if (!config) {
        ++catalog.counts().missing_configs;
        return;
    }
    if (auto error = read_image_config(*config, img)) {
        ++catalog.counts().invalid_configs;
        catalog.note(where, *error);
    }
}

// An object's members by key, in key order, the last of a repeated key winning (as the
// nlohmann importer, whose objects were sorted maps, read them).
std::map<std::string_view, element> members_by_key(object o) {
    std::map<std::string_view, element> out;
    for (const auto field : o) out.insert_or_assign(field.key, field.value);
    return out;
}

void import_bundle(image_catalog& catalog, const fs::path& path, const std::vector<std::string>& dirs,
                   std::size_t max_bytes) {
    const auto doc = read_document(catalog, path, max_bytes);
    if (!doc) return;
    object manifests;
    const auto m = member_of(doc->root(), "manifests");
    if (!m || m->get_object().get(manifests) != SUCCESS) {
        ++catalog.counts().invalid_manifests;
        catalog.note(path.string(), "no \"manifests\" object");
        return;
    }
    object configs_object;
    const auto c = member_of(doc->root(), "configs");
    const auto configs = c && c->get_object().get(configs_object) == SUCCESS ? members_by_key(configs_object)
                                                                            : std::map<std::string_view, element>{};
    const auto [registry, repository] = bundle_location(dirs);
    for (const auto& [key_view, manifest] : members_by_key(manifests)) {
        const std::string key(key_view);
        const auto where = path.string() + " " + key;
        image img{.registry = registry, .repository = repository};
        split_tag_key(key, img);
        if (is_index_document(manifest)) {
            ++catalog.counts().indexes_without_images;
            continue;
        }
        std::string config_digest;
        if (auto error = read_image_manifest(manifest, img, config_digest)) {
            ++catalog.counts().invalid_manifests;
            catalog.note(where, *error);
            continue;
        }
        const auto config = configs.find(key_view);
        apply_config_or_count(catalog, where, config != configs.end() ? std::optional(config->second) : std::nullopt, img);
        catalog.add(std::move(img));
    }
}

// A blob of an OCI layout, checked against its digest.
std::optional<json_document> read_layout_blob(image_catalog& catalog, const fs::path& root, const std::string& digest,
                                     std::size_t max_bytes) {
    const auto parsed = storage::digest::parse(digest);
    if (!parsed) {
        catalog.note("layout " + root.string(), "not a sha256 or sha512 digest: " + storage::log_value(digest));
        return std::nullopt;
    }
    const auto path = root / "blobs" / std::string(storage::algorithm_name(parsed->algorithm())) / std::string(parsed->hex());
    const auto file = read_input_file(path, max_bytes);
    if (!file.text) {
        catalog.note("file " + path.string(), file.error);
        return std::nullopt;
    }
    const auto& text = file.text;
    if (storage::digest_of(*text, parsed->algorithm()) != *parsed) {
        ++catalog.counts().digest_mismatches;
        catalog.note(path.string(), "content does not match its digest");
        return std::nullopt;
    }
    auto doc = json_document::parse(*text);
    if (!doc) catalog.note(path.string(), "not JSON (or nested too deeply)");
    return doc;
}

void import_layout_manifest(image_catalog& catalog, const fs::path& root, const index_entry& entry, image base,
                            int depth, std::size_t max_bytes) {
    const auto manifest = read_layout_blob(catalog, root, entry.digest, max_bytes);
    if (!manifest) {
        ++catalog.counts().invalid_manifests;
        return;
    }
    if (is_index_document(manifest->root())) {
        std::vector<index_entry> children;
        if (depth > 2 || read_index(manifest->root(), children)) {
            ++catalog.counts().invalid_manifests;
            return;
        }
        for (const auto& child : children) import_layout_manifest(catalog, root, child, base, depth + 1, max_bytes);
        return;
    }
    base.digest = entry.digest;
    base.platform = entry.platform;
    std::string config_digest;
    if (auto error = read_image_manifest(manifest->root(), base, config_digest)) {
        ++catalog.counts().invalid_manifests;
        catalog.note(root.string() + " " + entry.digest, *error);
        return;
    }
    const auto config = read_layout_blob(catalog, root, config_digest, max_bytes);
    apply_config_or_count(catalog, root.string() + " " + config_digest,
                          config ? std::optional(config->root()) : std::nullopt, base);
    catalog.add(std::move(base));
}

void import_layout(image_catalog& catalog, const fs::path& root, std::size_t max_bytes) {
    const auto index = read_document(catalog, root / "index.json", max_bytes);
    if (!index) return;
    std::vector<index_entry> entries;
    if (auto error = read_index(index->root(), entries)) {
        ++catalog.counts().invalid_manifests;
        catalog.note((root / "index.json").string(), *error);
        return;
    }
    std::vector<std::string> ref_names;
    simdjson::dom::array manifests;  // read_index has checked that it is an array of objects
    if (member_of(index->root(), "manifests")->get_array().get(manifests) != SUCCESS) return;
    for (const auto m : manifests) ref_names.push_back(text_at(m, {"annotations", "org.opencontainers.image.ref.name"}));
    for (std::size_t i = 0; i < entries.size(); ++i) {
        image base{.registry = "oci-layout", .repository = root.filename().string()};
        base.tag = ref_names[i];
        import_layout_manifest(catalog, root, entries[i], base, 0, max_bytes);
    }
}

// skopeo inspect --raw output; its config (skopeo inspect --config) beside it.
void import_manifest_file(image_catalog& catalog, const fs::path& path, std::size_t max_bytes) {
    const auto manifest = read_document(catalog, path, max_bytes);
    if (!manifest) return;
    auto stem = path.filename().string();
    stem = stem.substr(0, stem.find('.'));
    image img{.registry = "file", .repository = stem};
    if (is_index_document(manifest->root())) {
        ++catalog.counts().indexes_without_images;
        return;
    }
    std::string config_digest;
    if (auto error = read_image_manifest(manifest->root(), img, config_digest)) {
        ++catalog.counts().invalid_manifests;
        catalog.note(path.string(), *error);
        return;
    }
    const auto config_path = path.parent_path() / (stem + ".config.json");
    std::optional<json_document> config;
    if (std::error_code ec; fs::exists(config_path, ec)) config = read_document(catalog, config_path, max_bytes);
    apply_config_or_count(catalog, config_path.string(), config ? std::optional(config->root()) : std::nullopt, img);
    catalog.add(std::move(img));
}

bool is_layout(const fs::path& dir) { return fs::is_regular_file(dir / "index.json") && fs::is_directory(dir / "blobs"); }

std::vector<std::string> dirs_of(const fs::path& relative) {
    std::vector<std::string> dirs;
    for (const auto& part : relative.parent_path())
        if (!part.empty() && part != "/") dirs.push_back(part.string());
    return dirs;
}

// One file or layout to read: each is read on its own, into its own catalog.
struct import_job {
    enum class kind { bundle, layout, manifest_file } what;
    fs::path path;
    std::vector<std::string> dirs;  // a bundle's directories, naming its image

    // On a worker thread: nothing may escape (a filesystem error, memory running out).
    void run(image_catalog& catalog, std::size_t max_bytes) const noexcept {
        try {
            switch (what) {
            case kind::bundle: return import_bundle(catalog, path, dirs, max_bytes);
            case kind::layout: return import_layout(catalog, path, max_bytes);
            case kind::manifest_file: return import_manifest_file(catalog, path, max_bytes);
            }
        } catch (const std::exception& e) {
            ++catalog.counts().unreadable_files;
            catalog.note("file " + path.string(), e.what());
        }
    }
};

void find_in_directory(image_catalog& catalog, const fs::path& root, std::vector<import_job>& jobs) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_directory() && is_layout(it->path())) {
            found.push_back(it->path());
            it.disable_recursion_pending();
        } else if (it->is_regular_file() && it->path().filename() == bundle_name) {
            found.push_back(it->path());
        }
    }
    if (ec) catalog.note(root.string(), ec.message());
    std::sort(found.begin(), found.end());
    for (auto& p : found) {
        if (is_layout(p)) {
            jobs.push_back({import_job::kind::layout, std::move(p), {}});
            continue;
        }
        // Directories below the root name the image, unless the root is itself inside the
        // image's path (a repository directory given directly): then the whole path does.
        auto dirs = dirs_of(fs::relative(p, root));
        if (dirs.size() < 2 && std::none_of(dirs.begin(), dirs.end(), looks_like_registry))
            dirs = dirs_of(fs::absolute(p).lexically_normal());
        jobs.push_back({import_job::kind::bundle, std::move(p), std::move(dirs)});
    }
}

std::vector<import_job> jobs_for(image_catalog& catalog, const std::vector<fs::path>& paths) {
    std::vector<import_job> jobs;
    for (const auto& p : paths) {
        if (fs::is_directory(p)) {
            if (is_layout(p)) jobs.push_back({import_job::kind::layout, p, {}});
            else find_in_directory(catalog, p, jobs);
        } else if (p.filename() == bundle_name) {
            jobs.push_back({import_job::kind::bundle, p, dirs_of(p)});
        } else if (p.filename().string().find(".config.") == std::string::npos) {
            jobs.push_back({import_job::kind::manifest_file, p, {}});
        }
    }
    return jobs;
}

}  // namespace

void import_image_files(image_catalog& catalog, const std::vector<fs::path>& paths, std::size_t max_bytes,
                        const std::function<void(image_catalog&)>& after_file) {
    const auto jobs = jobs_for(catalog, paths);
    // Files read on every usable core, absorbed in the order found: the same catalog as reading
    // them one by one, with a bounded number of files' images waiting at once.
    const auto threads = parallel_files(max_bytes);
    std::vector<image_catalog> parts(jobs.size());
    for_each_ordered(
        jobs.size(), threads, 2 * threads, [&](std::size_t i) { jobs[i].run(parts[i], max_bytes); },
        [&](std::size_t i) {
            catalog.absorb(std::exchange(parts[i], {}));
            if (after_file) after_file(catalog);
        });
}

}  // namespace strata::analytics

// image_push: one layer on disk at a time, whatever the image's size.
#include "proxy/bench/image_push.hpp"

#include "proxy/bench/bench_image.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace strata::proxy {
namespace {

struct layer_file {
    generated_layer layer;
    std::filesystem::path path;
};

layer_file write_layer(const layer_recipe& recipe, const std::filesystem::path& dir) {
    const auto path = dir / ("layer-" + std::to_string(recipe.seed) + ".tar.gz");
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path.string());
    auto layer = generate_layer(recipe, [&](std::string_view bytes) {
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    });
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path.string() + " (is the disk full?)");
    return {std::move(layer), path};
}

class pusher {
public:
    pusher(push_client& registry, const image_push_plan& plan, const std::function<void(const std::string&)>& progress)
        : registry_(registry), plan_(plan), progress_(progress) {}

    pushed_image push(const image_shape& shape) {
        pushed_image out;
        out.repository = shape.repository(plan_.repository_prefix);
        out.tag = plan_.tag.empty() ? default_tag() : plan_.tag;
        out.shape = shape.text;
        std::vector<generated_layer> layers;
        if (plan_.base_bytes) layers.push_back(push_layer(out, base_recipe(), true));
        for (unsigned i = 0; i < shape.layers; ++i) layers.push_back(push_layer(out, shape_recipe(shape, i), false));
        const auto documents = bench_image(layers, shape.text, plan_.seed);
        const auto config_digest = storage::sha256_of(documents.config).str();
        if (!registry_.has_blob(out.repository, config_digest))
            registry_.upload_bytes(out.repository, config_digest, documents.config);
        registry_.put_manifest(out.repository, out.tag, documents.manifest, oci_manifest_type);
        out.digest = storage::sha256_of(documents.manifest).str();
        out.ref = registry_.name() + "/" + out.repository + ":" + out.tag;
        out.layers = static_cast<unsigned>(layers.size());
        for (const auto& l : layers) out.bytes += l.size;
        out.bytes += documents.config.size() + documents.manifest.size();
        return out;
    }

private:
    // zstd images get a tag of their own, so they stand beside the gzip ones of the same seed.
    std::string default_tag() const {
        return "s" + std::to_string(plan_.seed) + (plan_.compression == layer_compression::zstd ? "-zstd" : "");
    }
    layer_recipe base_recipe() const {
        return {layer_seed(plan_.seed, 0, plan_.base_bytes, 0), plan_.base_bytes, plan_.compressibility, "bench/base",
                plan_.compression};
    }
    layer_recipe shape_recipe(const image_shape& shape, unsigned i) const {
        return {layer_seed(plan_.seed, shape.bytes, shape.layers, i + 1), shape.layer_bytes(i),
                plan_.compressibility, "bench/layer-" + std::to_string(i + 1), plan_.compression};
    }

    generated_layer push_layer(pushed_image& image, const layer_recipe& recipe, bool shared) {
        if (shared && base_) {  // generated once; mounted where the registry allows
            if (registry_.has_blob(image.repository, base_->digest.str())) {
                ++image.present;
                return *base_;
            }
            if (registry_.mount_blob(image.repository, base_->digest.str(), base_repository_)) {
                ++image.mounted;
                progress_("mounted the base layer into " + image.repository);
                return *base_;
            }
        }
        auto file = write_layer(recipe, plan_.work_dir);
        const auto digest = file.layer.digest.str();
        if (registry_.has_blob(image.repository, digest)) {
            ++image.present;
        } else {
            progress_("pushing " + image.repository + " " + digest.substr(0, 19) + " (" +
                      std::to_string(file.layer.size) + " bytes)");
            registry_.upload_file(image.repository, digest, file.path, plan_.chunk_bytes);
            ++image.uploaded;
        }
        std::filesystem::remove(file.path);
        if (shared) base_ = file.layer, base_repository_ = image.repository;
        return file.layer;
    }

    push_client& registry_;
    const image_push_plan& plan_;
    const std::function<void(const std::string&)>& progress_;
    std::optional<generated_layer> base_;
    std::string base_repository_;
};

}  // namespace

std::vector<pushed_image> push_images(push_client& registry, const image_push_plan& plan,
                                      const std::function<void(const std::string&)>& progress) {
    std::filesystem::create_directories(plan.work_dir);
    pusher p(registry, plan, progress);
    std::vector<pushed_image> out;
    for (const auto& shape : plan.shapes) out.push_back(p.push(shape));
    return out;
}

}  // namespace strata::proxy
